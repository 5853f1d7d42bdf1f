/**
 * A dashboard as a branch holds it, on demand (`?branch=<name>` on the dashboard's address), in
 * the live charts' place: the branch and its head commit, a switcher over the trunk and the
 * project's work branches, the dashboard drawn from the branch's file with its own queries
 * (BranchCanvas, loaded only here), and the file itself behind "Show the file". A branch the
 * project does not have (or a file the branch lacks) is said in place, never thrown. "Back to the
 * live dashboard" gives the place back. Nothing without `?branch=`.
 */
import { useSearchParams } from "@solidjs/router";
import { createEffect, For, lazy, onCleanup, Show, Suspense } from "solid-js";
import { Notice } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";
import "./git.css";

const BranchCanvas = lazy(() => import("./BranchCanvas"));

export default function BranchView(props: { dashboardSlug: string; replaceView: (replaced: boolean) => void }) {
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
  // While a branch is shown, it is the dashboard on this page: the live charts make way.
  createEffect(() => props.replaceView(Boolean(search.branch)));
  onCleanup(() => props.replaceView(false));

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
                <details class="git-branch-source">
                  <summary>Show the file</summary>
                  <pre class="git-branch-file" tabindex="0" aria-label={`${f().path} on ${f().branch}`}>
                    {f().yaml}
                  </pre>
                </details>
                <Suspense fallback={<p class="muted">Loading the branch's charts…</p>}>
                  <BranchCanvas orgId={at().orgId} projectId={at().projectId} slug={props.dashboardSlug} branch={f().branch} />
                </Suspense>
              </>
            )}
          </Show>
        </section>
      )}
    </Show>
  );
}
