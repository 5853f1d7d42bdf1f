import { A } from "@solidjs/router";
import { useWorkspace } from "~/ui/workspace";

/** The project's "Dashboards" tab (slot `project.tabs`). */
export default function DashboardsTab() {
  const workspace = useWorkspace();
  const href = () => `/o/${workspace.currentOrg()?.slug ?? ""}/p/${workspace.currentProject()?.slug ?? ""}/dashboards`;
  return (
    <A href={href()} class="tab" activeClass="tab--active" inactiveClass="">
      Dashboards
    </A>
  );
}
