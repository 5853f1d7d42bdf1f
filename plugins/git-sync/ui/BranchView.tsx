/**
 * A dashboard as a branch holds it, on demand (`?branch=<name>` on the dashboard's address):
 * above the dashboard, the branch and its head commit, a switcher over the trunk and the
 * project's work branches, and the dashboard's file on that branch. A branch the project does not
 * have (or a file the branch lacks) is said in place, never thrown. Nothing without `?branch=`.
 */
import { useSearchParams } from "@solidjs/router";
import { For, Show } from "solid-js";
import { Notice } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";
import "./git.css";

export default function BranchView(props: { dashboardSlug: string }) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const [search, setSearch] = useSearchParams<{ branch?: string }>();
  const at = () => ({ orgId: org().id, projectId: workspace.currentProject()?.id ?? "" });
  const wanted = () => (search.branch && at().projectId ? { ...at(), slug: props.dashboardSlug, branch: search.branch } : null);
  const [file] = createBrowserResource(wanted, (key) => (key ? trpc.gitSync.dashboardAtBranch.query(key) : Promise.resolve(null)));
  const [branches] = createBrowserResource(
    () => (search.branch && at().projectId ? at() : null),
    (key) => (key ? trpc.gitSync.branches.query(key).catch(() => null) : Promise.resolve(null)),
  );
  const names = () => {
    const b = !branches.error ? branches.latest : null;
    return b ? [b.trunk, ...b.branches.map((x) => x.name).filter((n) => n !== b.trunk)] : [];
  };
  const shown = () => (!file.error ? file.latest : null);

  return (
    <Show when={search.branch}>
      {(branch) => (
        <section class="panel git-branch-view" aria-label="Branch view">
          <div class="git-branch-facts">
            <label class="field field--inline">
              <span>Branch</span>
              <select value={branch()} onChange={(e) => setSearch({ branch: e.currentTarget.value || undefined })}>
                <Show when={!names().includes(branch())}>
                  <option value={branch()}>{branch()}</option>
                </Show>
                <For each={names()}>{(n) => <option value={n}>{n}</option>}</For>
              </select>
            </label>
            <a href="?" onClick={(e) => (e.preventDefault(), setSearch({ branch: undefined }))}>
              Back to the live dashboard
            </a>
          </div>
          <Show when={file.error}>
            <Notice tone="warning">{problemOf(file.error).message}</Notice>
          </Show>
          <Show when={shown()}>
            {(f) => (
              <>
                <p data-testid="git-branch-view">
                  On branch <span class="mono">{f().branch}</span> @ <span class="mono">{f().commitSha.slice(0, 12)}</span>
                  {f().trunk ? " (the trunk: what viewers see once synced)" : " (a work branch, not promoted)"} · <span class="mono">{f().path}</span>
                </p>
                <pre class="git-branch-file" tabindex="0" aria-label={`${f().path} on ${f().branch}`}>
                  {f().yaml}
                </pre>
              </>
            )}
          </Show>
        </section>
      )}
    </Show>
  );
}
