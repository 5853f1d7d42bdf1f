import { A } from "@solidjs/router";
import { useWorkspace } from "~/ui/workspace";

/** The project's "Git" tab (slot `project.tabs`). */
export default function GitTab() {
  const workspace = useWorkspace();
  const href = () => `/o/${workspace.currentOrg()?.slug ?? ""}/p/${workspace.currentProject()?.slug ?? ""}/git`;
  return (
    <A href={href()} class="tab" activeClass="tab--active" inactiveClass="">
      Git
    </A>
  );
}
