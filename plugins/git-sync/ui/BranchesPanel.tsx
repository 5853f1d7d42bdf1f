/**
 * The Git page's branches: a switcher over the trunk and every work branch (head commit,
 * ahead/behind the trunk, files changed, Promote for those who may), and the person's own saved
 * changes not yet committed, with a message and Commit and push; Discard my changes (confirmed)
 * puts them back to the trunk's files and moves the person's branch back to the trunk.
 */
import { createMemo, createSignal, For, Show } from "solid-js";
import { Badge, BusyLabel, Button, ConfirmDialog, createForm, FormAlert, Notice, SubmitButton, TextField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { useCapabilities } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";

type At = { orgId: string; projectId: string };
const KIND: Record<string, string> = { added: "added", modified: "changed", deleted: "deleted", A: "added", M: "changed", D: "deleted" };

export function BranchesPanel(props: { at: At; stamp: string; onChanged: () => void }) {
  const capabilities = useCapabilities();
  const [view, { refetch }] = createBrowserResource(
    () => ({ ...props.at, stamp: props.stamp }),
    ({ orgId, projectId }) => trpc.gitSync.branches.query({ orgId, projectId }),
  );
  const [picked, setPicked] = createSignal<string | null>(null);
  const [done, setDone] = createSignal<string | null>(null);
  const [promoting, setPromoting] = createSignal(false);
  const [promoteError, setPromoteError] = createSignal<string | null>(null);
  const ok = () => (!view.error ? view.latest : undefined);
  const selected = createMemo(() => {
    const v = ok();
    if (!v) return null;
    const name = picked() ?? v.myBranch ?? v.trunk;
    return v.branches.find((b) => b.name === name) ?? null;
  });

  const form = createForm({
    action: async (data, element) => {
      setDone(null);
      const result = await trpc.gitSync.commit.mutate({ ...props.at, message: String(data.get("message") ?? "") });
      element.reset();
      setDone(result.committed.length > 0 ? `Committed ${result.commitSha?.slice(0, 12)} to ${result.branch} and pushed: ${result.committed.length} file(s).` : `Nothing new to commit: ${result.branch} holds your changes.`);
      setPicked(result.branch);
      await refetch();
    },
  });

  const [confirmDiscard, setConfirmDiscard] = createSignal(false);
  const discard = async () => {
    setDone(null);
    const result = await trpc.gitSync.discard.mutate(props.at);
    const moved = result.reset && result.branch ? ` ${result.branch} is back at ${result.trunkSha.slice(0, 12)}.` : "";
    setDone(`Discarded ${result.discarded.length} change(s): back to ${ok()?.trunk ?? "the trunk"}.${moved}`);
    props.onChanged();
    await refetch();
  };
  const mineAhead = () => (ok()?.branches.find((b) => b.mine)?.ahead ?? 0) > 0;

  const promote = async (branch: string, mode: "merge" | "pull_request" = "merge") => {
    setPromoting(true);
    setPromoteError(null);
    setDone(null);
    try {
      const result = await trpc.gitSync.promote.mutate({ ...props.at, branch, mode });
      setDone(
        result.mode === "pull-request"
          ? `${result.reused ? "The pull request already open" : "Opened pull request"} #${result.number} from ${branch}: ${result.url}`
          : `Promoted ${branch} into the trunk (${result.mode}); the trunk is at ${result.trunkSha.slice(0, 12)}.`,
      );
      props.onChanged();
      await refetch();
    } catch (e) {
      setPromoteError(problemOf(e).message);
    } finally {
      setPromoting(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="git-branches-title">
      <h2 id="git-branches-title" class="settings-section__title">
        Branches
      </h2>
      <Show when={view.error}>
        <LoadFailed what="the branches" problem={problemOf(view.error)} onRetry={() => void refetch()} />
      </Show>
      <Show when={ok()}>
        {(v) => (
          <div class="stack">
            <div class="field">
              <label class="field__label" for="git-branch-switcher">
                Branch
              </label>
              <select id="git-branch-switcher" class="input select input--mono" onChange={(e) => setPicked(e.currentTarget.value)}>
                <option value={v().trunk} selected={!selected()}>
                  {v().trunk} (trunk)
                </option>
                <For each={v().branches}>
                  {(b) => (
                    <option value={b.name} selected={selected()?.name === b.name}>
                      {b.name}
                      {b.mine ? " (yours)" : ""}
                    </option>
                  )}
                </For>
              </select>
            </div>
            <Show
              when={selected()}
              fallback={
                <p data-testid="git-branch-facts">
                  Trunk <span class="mono">{v().trunk}</span> at <span class="mono">{v().trunkSha?.slice(0, 12) ?? "—"}</span>: what the project's viewers see.
                </p>
              }
            >
              {(b) => (
                <>
                  <p class="git-branch-facts" data-testid="git-branch-facts">
                    <span>
                      <span class="mono">{b().name}</span> at <span class="mono">{b().sha?.slice(0, 12) ?? "not pushed"}</span>
                    </span>
                    <span>
                      {b().ahead} ahead, {b().behind} behind <span class="mono">{v().trunk}</span>
                    </span>
                  </p>
                  <Show when={b().changed.length > 0}>
                    <ul class="rows" aria-label={`Changed on ${b().name}`}>
                      <For each={b().changed}>
                        {(f) => (
                          <li class="row">
                            <span class="mono">{f.path}</span> {KIND[f.status] ?? f.status}
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                  <Show when={capabilities().has("git-sync.promote") && b().ahead > 0}>
                    <div>
                      <Button onClick={() => void promote(b().name)} disabled={promoting()}>
                        <BusyLabel busy={promoting()} label="Promoting…">
                          Promote to {v().trunk}
                        </BusyLabel>
                      </Button>{" "}
                      <Show when={v().pullRequests}>
                        <Button onClick={() => void promote(b().name, "pull_request")} disabled={promoting()}>
                          Open pull request
                        </Button>
                      </Show>
                    </div>
                  </Show>
                  <Show when={b().pullRequestUrl}>
                    {(url) => (
                      <p data-testid="git-pull-request">
                        Pull request:{" "}
                        <a href={url()} rel="noopener noreferrer" target="_blank">
                          {url()}
                        </a>
                      </p>
                    )}
                  </Show>
                  <Show when={promoteError()}>{(m) => <Notice tone="warning">{m()}</Notice>}</Show>
                </>
              )}
            </Show>
            <Show when={done()}>{(m) => <Notice tone="success">{m()}</Notice>}</Show>

            <Show when={capabilities().has("git-sync.sync")}>
              <h3 class="subheading">Your changes</h3>
              <Show when={v().changes.length > 0} fallback={<p class="muted">No saved changes to commit.</p>}>
                <ul class="rows" aria-label="Your changes">
                  <For each={v().changes}>
                    {(c) => (
                      <li class="row">
                        <span class="mono">{c.path}</span> {KIND[c.kind]}
                        <Show when={c.stale}>
                          {" "}
                          <Badge tone="warning">changed in git too</Badge>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
                <form class="form" onSubmit={(e) => form.onSubmit(e)} aria-label="Commit your changes" novalidate>
                  <TextField form={form} name="message" label="Commit message" required="Say what changed (the commit message)" maxLength={2000} autocomplete="off" />
                  <FormAlert form={form} />
                  <div class="form__actions">
                    <SubmitButton form={form} pendingLabel="Committing…">
                      Commit and push
                    </SubmitButton>
                  </div>
                </form>
              </Show>
              <Show when={v().changes.length > 0 || mineAhead()}>
                <div>
                  <Button variant="secondary" onClick={() => setConfirmDiscard(true)}>
                    Discard my changes
                  </Button>
                </div>
                <ConfirmDialog
                  open={confirmDiscard()}
                  onClose={() => setConfirmDiscard(false)}
                  title="Discard your changes?"
                  description={
                    <>
                      Every dashboard you changed since it came from git goes back to the trunk's file (ones the trunk does not have are deleted), and your branch
                      moves back to <span class="mono">{v().trunk}</span>. Changes others made stay.
                    </>
                  }
                  confirmLabel="Discard my changes"
                  pendingLabel="Discarding…"
                  tone="danger"
                  confirm={discard}
                />
              </Show>
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
