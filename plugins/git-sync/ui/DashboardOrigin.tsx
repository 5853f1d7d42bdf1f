/** In a dashboard's action rail: the branch and commit it was imported from (nothing for a dashboard not from git). */
import { Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";

export default function DashboardOrigin(props: { dashboardSlug: string }) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const [origin] = createBrowserResource(
    () => ({ orgId: org().id, projectId: workspace.currentProject()?.id ?? "", slug: props.dashboardSlug }),
    (key) => (key.projectId ? trpc.gitSync.dashboardOrigin.query(key).then((r) => r.origin) : Promise.resolve(null)),
  );
  return (
    <Show when={origin.latest}>
      {(o) => (
        <p class="git-origin" data-testid="git-origin" title={o().path}>
          From git: <span class="mono">{o().branch}</span> @ <span class="mono">{o().commitSha.slice(0, 12)}</span>
          <Show when={!o().current}> (edited since)</Show>
        </p>
      )}
    </Show>
  );
}
