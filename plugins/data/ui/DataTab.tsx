import { A } from "@solidjs/router";
import { useWorkspace } from "~/ui/workspace";

/** The project's "Data" tab (slot `project.tabs`). */
export default function DataTab() {
  const workspace = useWorkspace();
  const href = () => `/o/${workspace.currentOrg()?.slug ?? ""}/p/${workspace.currentProject()?.slug ?? ""}/data`;
  return (
    <A href={href()} class="tab" activeClass="tab--active" inactiveClass="">
      Data
    </A>
  );
}
