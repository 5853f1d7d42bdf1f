import { A } from "@solidjs/router";
import { useWorkspace } from "~/ui/workspace";

/** The project's "Activity" tab (slot `project.tabs`). */
export default function ActivityTab() {
  const workspace = useWorkspace();
  const href = () => `/o/${workspace.currentOrg()?.slug ?? ""}/p/${workspace.currentProject()?.slug ?? ""}/activity`;
  return (
    <A href={href()} class="tab" activeClass="tab--active" inactiveClass="">
      Activity
    </A>
  );
}
