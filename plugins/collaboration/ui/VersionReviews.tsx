/** Slot `dashboard.history.version`: who marked this version as reviewed. */
import { createEffect, on, Show } from "solid-js";
import { Badge } from "~/ui/components";
import { useDashboardComments } from "./use-comments";

export default function VersionReviews(props: { version: number; current: boolean }) {
  const comments = useDashboardComments();
  createEffect(
    on(
      () => comments()?.store,
      (store) => {
        if (store && !store.reviews()) void store.refreshReviews();
      },
    ),
  );
  const reviewers = () => (comments()?.store.reviews() ?? []).filter((r) => r.version === props.version).map((r) => r.reviewer?.name ?? "someone");
  return (
    <Show when={reviewers().length}>
      <p class="row__meta">
        <Badge tone="success">Reviewed</Badge> by {reviewers().join(", ")}
      </p>
    </Show>
  );
}
