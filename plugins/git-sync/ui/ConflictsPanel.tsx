/**
 * The Git page's conflicts: each dashboard file changed in Atrium and in git since its last
 * import, shown three ways (base, theirs, yours) with Take theirs, Keep mine, or Edit merged
 * (YAML validated by the server before it is saved; its error shows under the field). Each
 * resolution is saved on its own: leaving halfway loses nothing.
 */
import { createSignal, For, Show } from "solid-js";
import { Button, createForm, createRowAction, FormAlert, Notice, SubmitButton, TextAreaField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { useCapabilities } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";

type At = { orgId: string; projectId: string };
type Conflict = Awaited<ReturnType<typeof trpc.gitSync.conflicts.query>>["conflicts"][number];

export function ConflictsPanel(props: { at: At; stamp: string; onResolved: () => void }) {
  const [list, { refetch }] = createBrowserResource(
    () => ({ ...props.at, stamp: props.stamp }),
    ({ orgId, projectId }) => trpc.gitSync.conflicts.query({ orgId, projectId }),
  );
  const ok = () => (!list.error ? list.latest : undefined);
  const resolved = async () => {
    props.onResolved();
    await refetch();
  };
  return (
    <>
      <Show when={list.error}>
        <LoadFailed what="the conflicts" problem={problemOf(list.error)} onRetry={() => void refetch()} />
      </Show>
      <Show when={(ok()?.conflicts.length ?? 0) > 0}>
        <section class="panel" aria-labelledby="git-conflicts-title">
          <h2 id="git-conflicts-title" class="settings-section__title">
            Conflicts
          </h2>
          <p class="muted">These dashboards changed in Atrium and in git since their last sync. Choose what each should be; the rest of the sync has applied.</p>
          <For each={ok()?.conflicts ?? []}>{(c) => <ConflictItem at={props.at} conflict={c} onResolved={() => void resolved()} />}</For>
        </section>
      </Show>
    </>
  );
}

function ConflictItem(props: { at: At; conflict: Conflict; onResolved: () => void }) {
  const capabilities = useCapabilities();
  const [editing, setEditing] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const take = createRowAction(
    async (side: "theirs" | "mine") => {
      setError(null);
      await trpc.gitSync.resolveConflict.mutate({ ...props.at, path: props.conflict.path, take: side });
      props.onResolved();
    },
    (side) => side,
    (problem) => setError(problem.message),
  );
  const form = createForm({
    action: async (data) => {
      await trpc.gitSync.resolveConflict.mutate({ ...props.at, path: props.conflict.path, take: "merged", yaml: String(data.get("yaml") ?? "") });
      props.onResolved();
    },
  });
  const headingId = () => `git-conflict-${props.conflict.slug}`;
  return (
    <article class="git-conflict stack" aria-labelledby={headingId()}>
      <h3 id={headingId()} class="subheading mono">
        {props.conflict.path}
      </h3>
      <p>{props.conflict.message}</p>
      <div class="git-three-way">
        <Side label="Base (last synced)" text={props.conflict.base} />
        <Side label={`Theirs (git ${props.conflict.commitSha.slice(0, 12)})`} text={props.conflict.theirs} empty="Removed in git." />
        <Side label="Yours (Atrium)" text={props.conflict.mine} empty="Deleted in Atrium." />
      </div>
      <Show when={capabilities().has("git-sync.sync")}>
        <div class="form__actions">
          <Button variant="secondary" disabled={take.busy("theirs")} onClick={() => void take.run("theirs")}>
            Take theirs
          </Button>
          <Button variant="secondary" disabled={take.busy("mine")} onClick={() => void take.run("mine")}>
            Keep mine
          </Button>
          <Button variant="secondary" aria-expanded={editing()} onClick={() => setEditing(!editing())}>
            Edit merged
          </Button>
        </div>
        <Show when={error()}>{(m) => <Notice tone="warning">{m()}</Notice>}</Show>
        <Show when={editing()}>
          <form class="form" onSubmit={(e) => form.onSubmit(e)} aria-label={`Merged YAML for ${props.conflict.path}`} novalidate>
            <TextAreaField form={form} name="yaml" label="Merged YAML" rows={14} class="input--mono" value={props.conflict.mine ?? props.conflict.theirs ?? ""} required="Give the merged YAML" />
            <FormAlert form={form} />
            <div class="form__actions">
              <SubmitButton form={form} pendingLabel="Saving…">
                Save merged
              </SubmitButton>
            </div>
          </form>
        </Show>
      </Show>
    </article>
  );
}

function Side(props: { label: string; text: string | null; empty?: string }) {
  return (
    <figure class="stack">
      <figcaption class="muted">{props.label}</figcaption>
      <Show when={props.text !== null} fallback={<p>{props.empty ?? "None."}</p>}>
        <pre tabindex="0">{props.text}</pre>
      </Show>
    </figure>
  );
}
