import { A } from "@solidjs/router";
import type { SlotProps } from "~/ui/plugin-ui";
import { useWorkspace } from "~/ui/workspace";

/** A `project.tabs` contribution: a link styled as a tab, to the plugin's project page. */
export default function NotesTab(_props: SlotProps["project.tabs"]) {
  const workspace = useWorkspace();
  const href = () => `/o/${workspace.currentOrg()?.slug ?? ""}/p/${workspace.currentProject()?.slug ?? ""}/notes`;
  return (
    <A href={href()} class="tab" activeClass="tab--active" inactiveClass="">
      Notes
    </A>
  );
}
