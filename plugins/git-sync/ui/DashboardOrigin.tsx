/**
 * In a dashboard's action rail: the branch and commit the dashboard as shown came from — the
 * trunk commit it was imported from, and, when it was edited in Atrium and committed since, the
 * work branch and commit that hold it as shown (not promoted yet). Nothing for a dashboard not
 * from git.
 */
import { Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";

export default function DashboardOrigin(props: { dashboardSlug: string }) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const [origin] = createBrowserResource(
    () => ({ orgId: org().id, projectId: workspace.currentProject()?.id ?? "", slug: props.dashboardSlug }),
    (key) => (key.projectId ? trpc.gitSync.dashboardOrigin.query(key) : Promise.resolve(null)),
  );
  const known = () => (!origin.error ? origin.latest : undefined);
  return (
    <>
      <Show when={known()?.workBranch}>
        {(b) => (
          <p class="git-origin" data-testid="git-branch-origin" title={b().path}>
            On branch: <span class="mono">{b().branch}</span> @ <span class="mono">{b().commitSha.slice(0, 12)}</span> (not promoted yet)
          </p>
        )}
      </Show>
      <Show when={known()?.origin}>
        {(o) => (
          <p class="git-origin" data-testid="git-origin" title={o().path}>
            From git: <span class="mono">{o().branch}</span> @ <span class="mono">{o().commitSha.slice(0, 12)}</span>
            <Show when={!o().current}> (edited since)</Show>
          </p>
        )}
      </Show>
    </>
  );
}
