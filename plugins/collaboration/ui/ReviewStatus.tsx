/** The current version's sign-offs in the action rail, and "Mark as reviewed" for members who may give one. */
import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, BusyLabel, Button } from "~/ui/components";
import { problemOf } from "~/ui/problems";
import { useSession } from "~/ui/session";
import type { DashboardComments } from "./use-comments";

export function ReviewStatus(props: { comments: DashboardComments; canReview: boolean }) {
  const session = useSession();
  const store = () => props.comments.store;
  const version = () => props.comments.record.version;
  const current = () => (store().reviews() ?? []).filter((r) => r.version === version());
  const mine = () => current().some((r) => r.reviewer?.id === session.user()?.id);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await store().review(version(), !mine());
    } catch (e) {
      setError(problemOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="collab-review" aria-label="Review">
      <p class="collab-review__status" data-testid="review-status">
        <Show when={current().length} fallback={<span class="muted">Version {version()} not reviewed yet</span>}>
          <Badge tone="success">Reviewed</Badge> v{version()} by <For each={current()}>{(r, i) => <>{i() ? ", " : ""}{r.reviewer?.name ?? "someone"}</>}</For>
        </Show>
      </p>
      <Show when={props.canReview}>
        <Button variant={mine() ? "ghost" : "secondary"} class="btn--compact" onClick={() => void toggle()} disabled={busy()}>
          <BusyLabel busy={busy()} label="Saving…">
            {mine() ? "Withdraw my review" : "Mark as reviewed"}
          </BusyLabel>
        </Button>
      </Show>
      <Alert message={error()} />
    </div>
  );
}
