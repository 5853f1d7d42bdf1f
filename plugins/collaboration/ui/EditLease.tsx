/**
 * Slot `dashboard.editor.session`: who edits this dashboard. The holder sees nothing in the way
 * (a Hand off button, and their draft to restore when they left unsaved text); anyone else sees
 * "<name> is editing since 10:42" and chooses to wait, read only, or take over (confirmed). The
 * former holder is told at once. The logic is `lease-store.ts`; this file lays it out.
 */
import { createEffect, createResource, createSignal, on, onCleanup, onMount, Show } from "solid-js";
import { Button, ConfirmDialog, Notice } from "~/ui/components";
import type { EditorSession } from "~/ui/plugin-ui";
import { trpc } from "~/ui/trpc";
import { useWorkspace } from "~/ui/workspace";
import "./collaboration.css";
import { createLeaseStore, timeOf, type LeaseApi, type LeaseStore } from "./lease-store";
import { Live } from "./LiveDashboard";

export default function EditLease(props: { dashboardSlug: string; editor: EditorSession }) {
  const workspace = useWorkspace();
  const where = () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project ? { orgId: org.id, projectId: project.id, slug: props.dashboardSlug } : undefined;
  };
  return <Show when={where()}>{(w) => <Lease where={w()} editor={props.editor} />}</Show>;
}

function Lease(props: { where: { orgId: string; projectId: string; slug: string }; editor: EditorSession }) {
  // The editor and dashboard are fixed for the life of this component (the page remounts on another).
  // eslint-disable-next-line solid/reactivity
  const d = props.where;
  const api: LeaseApi = {
    open: () => trpc.collaboration.lease.open.mutate(d),
    get: () => trpc.collaboration.lease.get.query(d),
    renew: () => trpc.collaboration.lease.renew.mutate(d),
    takeOver: () => trpc.collaboration.lease.takeOver.mutate({ ...d, confirm: true }),
    handOff: (userId) => trpc.collaboration.lease.handOff.mutate({ ...d, userId }),
    release: () => trpc.collaboration.lease.release.mutate(d),
    editors: () => trpc.collaboration.lease.editors.query(d),
    saveDraft: (yaml, baseVersion) => trpc.collaboration.drafts.save.mutate({ ...d, yaml, baseVersion }),
    discardDraft: () => trpc.collaboration.drafts.discard.mutate(d),
    onChange: (listener) => {
      // A dropped stream is covered by the regular looks (renewal, waiting poll).
      const subscription = trpc.collaboration.lease.onChange.subscribe(d, { onData: listener, onError: () => {} });
      return () => subscription.unsubscribe();
    },
  };
  // eslint-disable-next-line solid/reactivity
  const store = createLeaseStore(api, props.editor);
  createEffect(on(() => props.editor.text(), store.textChanged, { defer: true }));
  onMount(() => {
    void store.start();
    const activity = () => store.touch();
    document.addEventListener("keydown", activity);
    document.addEventListener("pointerdown", activity);
    onCleanup(() => {
      document.removeEventListener("keydown", activity);
      document.removeEventListener("pointerdown", activity);
    });
  });
  onCleanup(store.dispose);

  return (
    <section class="collab-lease" aria-label="Who is editing">
      <Show when={store.told()}>
        {(message) => (
          <Notice tone="warning" title="Editing changed hands">
            <p>{message()}</p>
            <Button onClick={store.dismissTold}>Dismiss</Button>
          </Notice>
        )}
      </Show>
      <Show when={store.error()}>{(message) => <p class="form__error" role="alert">{message()}</p>}</Show>
      <Show when={store.mode() === "locked" || store.mode() === "lost"}>
        <Locked store={store} />
      </Show>
      <Show when={store.mode() === "editing"}>
        <Holding store={store} />
      </Show>
      <Live where={d} editing version={props.editor.version} />
    </section>
  );
}

/** Someone else edits: wait, read only, or take over. */
function Locked(props: { store: LeaseStore }) {
  const store = () => props.store;
  const [confirming, setConfirming] = createSignal(false);
  const holder = () => store().lease()?.holder;
  const confirmTakeOver = async () => {
    await props.store.takeOver();
    const problem = props.store.error();
    if (problem) throw new Error(problem);
  };
  return (
    <>
      <Notice tone="info" title={holder() ? `${holder()!.name} is editing since ${timeOf(store().lease()?.since ?? null)}` : "Nobody is editing now"}>
        <p>
          {store().choice() === "wait"
            ? "Waiting: the editor opens for you as soon as they leave."
            : "The editor is read-only for you. Wait for them, keep reading, or take over (their unsaved changes stay their draft)."}
        </p>
        <div class="form__actions">
          <Show when={store().choice() !== "wait"}>
            <Button onClick={() => store().setChoice("wait")}>Wait for them</Button>
          </Show>
          <Show when={store().choice() === "ask"}>
            <Button onClick={() => store().setChoice("read")}>Open read-only</Button>
          </Show>
          <Button variant="primary" onClick={() => setConfirming(true)} disabled={store().busy()}>
            Take over
          </Button>
        </div>
      </Notice>
      <ConfirmDialog
        open={confirming()}
        onClose={() => setConfirming(false)}
        title="Take over editing?"
        description={
          <p>
            {holder() ? `${holder()!.name} is editing this dashboard now.` : "Someone was editing this dashboard."} They are told at once, their editor turns read-only and
            their unsaved changes stay as their draft.
          </p>
        }
        confirmLabel="Take over"
        pendingLabel="Taking over…"
        confirm={confirmTakeOver}
      />
    </>
  );
}

/** The lease is mine: my draft to restore, and Hand off. */
function Holding(props: { store: LeaseStore }) {
  const store = () => props.store;
  const [handing, setHanding] = createSignal(false);
  const [to, setTo] = createSignal("");
  // eslint-disable-next-line solid/reactivity
  const [editors] = createResource(handing, () => props.store.editors());
  return (
    <>
      <Show when={store().offer()}>
        {(draft) => (
          <Notice tone="info" title="You have unsaved changes">
            <p>
              Your draft from {timeOf(draft().updatedAt)} (on version {draft().baseVersion}) was kept when you left the editor.
            </p>
            <div class="form__actions">
              <Button variant="primary" onClick={() => store().restoreDraft()}>
                Restore my draft
              </Button>
              <Button onClick={() => void store().discardDraft()}>Discard it</Button>
            </div>
          </Notice>
        )}
      </Show>
      <div class="collab-lease__mine">
        <p class="muted">You are editing; others see the editor read-only.</p>
        <Show
          when={handing()}
          fallback={
            <Button onClick={() => setHanding(true)}>Hand off…</Button>
          }
        >
          <form
            class="collab-lease__handoff"
            onSubmit={(e) => {
              e.preventDefault();
              if (to()) void store().handOff(to()).then(() => setHanding(false));
            }}
          >
            <label for="collab-handoff-to">Hand editing to</label>
            <select id="collab-handoff-to" value={to()} onChange={(e) => setTo(e.currentTarget.value)}>
              <option value="">Choose a person</option>
              <Show when={!editors.error && editors()}>{(list) => list().members.map((m) => <option value={m.id}>{m.name}</option>)}</Show>
            </select>
            <Button type="submit" variant="primary" disabled={!to() || store().busy()}>
              Hand off
            </Button>
            <Button onClick={() => setHanding(false)}>Cancel</Button>
          </form>
        </Show>
      </div>
    </>
  );
}
