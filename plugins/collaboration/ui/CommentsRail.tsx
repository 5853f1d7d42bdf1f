/**
 * Slot `dashboard.actions`: the dashboard's review status ("Reviewed by Ann" on this version, and
 * "Mark as reviewed") and the Comments button, with the unread marker, that opens the panel.
 */
import { createEffect, on, Show } from "solid-js";
import { Button } from "~/ui/components";
import { useCapabilities } from "~/ui/Slot";
import "./collaboration.css";
import { CommentsPanel } from "./CommentsPanel";
import { ReviewStatus } from "./ReviewStatus";
import { useDashboardComments, type DashboardComments } from "./use-comments";

export default function CommentsRail(_props: { dashboardSlug: string }) {
  const comments = useDashboardComments();
  return <Show when={comments()}>{(c) => <Rail comments={c()} />}</Show>;
}

function Rail(props: { comments: DashboardComments }) {
  const store = () => props.comments.store;
  const capabilities = useCapabilities();
  // Load counts and reviews for this dashboard, and again when a new version is shown.
  createEffect(
    on([store, () => props.comments.record.version], () => {
      void store().refresh();
      void store().refreshReviews();
    }),
  );
  const open = () => store().counts()?.open ?? 0;
  const unread = () => store().counts()?.unread ?? 0;
  return (
    <div class="collab-rail">
      <ReviewStatus comments={props.comments} canReview={capabilities().has("collaboration.review")} />
      <Button
        variant="secondary"
        aria-expanded={store().panelOpen()}
        aria-controls="comments-panel"
        onClick={() => (store().panelOpen() ? store().closePanel() : void store().openPanel())}
      >
        Comments{open() ? ` (${open()})` : ""}
        <Show when={unread() > 0}>
          <span class="collab-unread"> • {unread()} new</span>
        </Show>
      </Button>
      <Show when={store().panelOpen()}>
        <CommentsPanel comments={props.comments} />
      </Show>
    </div>
  );
}
