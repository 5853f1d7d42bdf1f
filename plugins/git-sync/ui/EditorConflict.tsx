/**
 * In the dashboard editor's conflict dialog (slot `dashboard.editor.conflict`): when the newer
 * version the save ran into is one git sync imported, say so — the branch, commit and file — and
 * link to the Git page. The dialog's Compare is the merge view (git's version beside mine).
 */
import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";

export default function EditorConflict(props: { dashboardSlug: string; editedVersion: number; currentVersion: number | null }) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const [origin] = createBrowserResource(
    () => ({ orgId: org().id, projectId: workspace.currentProject()?.id ?? "", slug: props.dashboardSlug, seen: props.currentVersion }),
    ({ seen: _seen, ...key }) => (key.projectId ? trpc.gitSync.dashboardOrigin.query(key).then((r) => r.origin) : Promise.resolve(null)),
  );
  const fromGit = () => {
    const o = !origin.error ? origin.latest : undefined;
    return o && o.version !== null && o.version > props.editedVersion ? o : null;
  };
  const gitPage = () => `/o/${workspace.currentOrg()?.slug ?? org().slug}/p/${workspace.currentProject()?.slug ?? ""}/git`;
  return (
    <Show when={fromGit()}>
      {(o) => (
        <p class="notice notice--warning" data-testid="git-stale">
          Changed in git: <span class="mono">{o().branch}</span> @ <span class="mono">{o().commitSha.slice(0, 12)}</span> ({o().path}) was imported as version {o().version} after
          the version you opened ({props.editedVersion}). Compare to merge your change into git's version, or <A href={gitPage()}>see it on the Git page</A>.
        </p>
      )}
    </Show>
  );
}
