/**
 * A change proposed to an open editor (by the assistant, through the editor bridge): shown as
 * a diff against the current text with Accept and Reject. A newer proposal replaces an open
 * one (which then resolves false).
 */
import { createSignal, lazy, onCleanup, Show, Suspense } from "solid-js";
import { Button } from "~/ui/components";

const MergePanel = lazy(() => import("./MergePanel"));

interface Pending {
  current: string;
  next: string;
  note?: string;
  resolve: (accepted: boolean) => void;
}

export interface Proposal {
  pending: () => Pending | null;
  /** Shows `next` against `current`; resolves true when accepted. */
  open(current: string, next: string, note?: string): Promise<boolean>;
  accept(): void;
  reject(): void;
  onAccept(apply: (next: string) => void): void;
}

export function createProposal(): Proposal {
  const [pending, setPending] = createSignal<Pending | null>(null);
  let apply: (next: string) => void = () => {};
  const settle = (accepted: boolean) => {
    const p = pending();
    if (!p) return;
    setPending(null);
    if (accepted) apply(p.next);
    p.resolve(accepted);
  };
  onCleanup(() => settle(false));
  return {
    pending,
    open(current, next, note) {
      settle(false);
      return new Promise<boolean>((resolve) => setPending({ current, next, note, resolve }));
    },
    accept: () => settle(true),
    reject: () => settle(false),
    onAccept(fn) {
      apply = fn;
    },
  };
}

export function ProposalPanel(props: { proposal: Proposal; language: "yaml" | "sql" }) {
  return (
    <Show when={props.proposal.pending()}>
      {(p) => (
        <section class="panel stack" aria-labelledby="proposal-title" role="region">
          <h2 id="proposal-title" class="panel__title">
            Proposed change
          </h2>
          <Show when={p().note}>
            <p>{p().note}</p>
          </Show>
          <Suspense fallback={<p class="muted">Loading the comparison…</p>}>
            <MergePanel language={props.language} a={p().current} b={p().next} aLabel="Current" bLabel="Proposed" />
          </Suspense>
          <div class="form__actions">
            <Button variant="primary" onClick={() => props.proposal.accept()}>
              Accept
            </Button>
            <Button onClick={() => props.proposal.reject()}>Reject</Button>
          </div>
        </section>
      )}
    </Show>
  );
}
