/**
 * One thread in the comments panel: where it hangs (dashboard, chart, chart at values), open or
 * resolved, "outdated" when the chart changed since, "new" when unread; its comments with who
 * wrote them (an agent on a person's behalf says so), the version, and Edit/Delete for one's own;
 * a reply box, and Resolve/Reopen for members who may.
 */
import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, Button, ConfirmDialog, createForm, FormAlert, SubmitButton, TextAreaField } from "~/ui/components";
import { formatDateTime, formatRelative, isoOf } from "~/ui/format";
import { problemOf } from "~/ui/problems";
import { useCapabilities } from "~/ui/Slot";
import { targetLabel, type Comment, type Thread } from "./comments-store";
import { createMentions, MentionField } from "./MentionField";
import type { DashboardComments } from "./use-comments";

export function ThreadCard(props: { thread: Thread; comments: DashboardComments }) {
  const capabilities = useCapabilities();
  const store = () => props.comments.store;
  const titleId = () => `thread-${props.thread.id}`;
  const [error, setError] = createSignal<string | null>(null);
  const [replying, setReplying] = createSignal(false);
  const mentions = createMentions();
  const reply = createForm({
    action: async (data) => {
      const body = String(data.get("body"));
      await store().add({ threadId: props.thread.id, body, mentions: mentions.idsIn(body) });
      mentions.reset();
      setReplying(false);
    },
  });
  const toggleResolved = async () => {
    setError(null);
    try {
      await store().resolve(props.thread.id, props.thread.status === "open");
    } catch (e) {
      setError(problemOf(e).message);
    }
  };
  return (
    <li class="collab-thread" aria-labelledby={titleId()} data-thread={props.thread.id}>
      <h3 id={titleId()} class="collab-thread__title">
        {targetLabel(props.thread, props.comments.chartTitle)}
      </h3>
      <p class="collab-thread__badges">
        <Badge tone={props.thread.status === "open" ? "accent" : "neutral"}>{props.thread.status === "open" ? "Open" : "Resolved"}</Badge>
        <Show when={props.thread.outdated}>
          <Badge tone="warning">Outdated</Badge>
        </Show>
        <Show when={props.thread.unread}>
          <Badge tone="accent">New</Badge>
        </Show>
      </p>
      <ol class="collab-comments">
        <For each={props.thread.comments}>{(comment) => <CommentItem comment={comment} comments={props.comments} onError={setError} />}</For>
      </ol>
      <Alert message={error()} />
      <div class="collab-thread__actions">
        <Show when={capabilities().has("collaboration.comment.write") && !replying()}>
          <Button variant="ghost" class="btn--compact" onClick={() => setReplying(true)}>
            Reply
          </Button>
        </Show>
        <Show when={capabilities().has("collaboration.thread.resolve")}>
          <Button variant="ghost" class="btn--compact" onClick={() => void toggleResolved()}>
            {props.thread.status === "open" ? "Resolve" : "Reopen"}
          </Button>
        </Show>
      </div>
      <Show when={replying()}>
        <form class="stack" onSubmit={reply.onSubmit} novalidate>
          <MentionField form={reply} name="body" label="Reply" at={store().at} mentions={mentions} />
          <FormAlert form={reply} />
          <div class="toolbar">
            <SubmitButton form={reply} pendingLabel="Posting…">
              Post reply
            </SubmitButton>
            <Button variant="ghost" onClick={() => setReplying(false)}>
              Cancel
            </Button>
          </div>
        </form>
      </Show>
    </li>
  );
}

function CommentItem(props: { comment: Comment; comments: DashboardComments; onError: (message: string | null) => void }) {
  const store = () => props.comments.store;
  const [editing, setEditing] = createSignal(false);
  const [confirming, setConfirming] = createSignal(false);
  const edit = createForm({
    action: async (data) => {
      await store().edit(props.comment.id, String(data.get("body")));
      setEditing(false);
    },
  });
  const who = () => props.comment.author?.name ?? "Someone who left";
  const removeComment = async () => {
    props.onError(null);
    await store().remove(props.comment.id);
  };
  return (
    <li class="collab-comment" data-comment={props.comment.id}>
      <p class="collab-comment__meta">
        <strong>{props.comment.viaAgent ? `${props.comment.viaAgent}` : who()}</strong>
        <Show when={props.comment.viaAgent}>
          {" "}
          <Badge tone="agent">Agent</Badge> on behalf of {who()}
        </Show>{" "}
        ·{" "}
        <time datetime={isoOf(props.comment.createdAt)} title={formatDateTime(props.comment.createdAt)}>
          {formatRelative(props.comment.createdAt)}
        </time>{" "}
        · v{props.comment.dashboardVersion}
        <Show when={props.comment.editedAt}> · edited</Show>
      </p>
      <Show when={!props.comment.deleted} fallback={<p class="muted">Comment deleted.</p>}>
        <Show
          when={editing()}
          fallback={
            // The server renders the Markdown and sanitizes it (plugins/collaboration/markdown.ts).
            // eslint-disable-next-line solid/no-innerhtml
            <div class="collab-comment__body" innerHTML={props.comment.html} />
          }
        >
          <form class="stack" onSubmit={edit.onSubmit} novalidate>
            <TextAreaField form={edit} name="body" label="Edit comment" value={props.comment.body ?? ""} maxLength={5000} required="Write something" />
            <FormAlert form={edit} />
            <div class="toolbar">
              <SubmitButton form={edit} pendingLabel="Saving…">
                Save
              </SubmitButton>
              <Button variant="ghost" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </div>
          </form>
        </Show>
        <Show when={props.comment.mine && !editing()}>
          <div class="collab-comment__actions">
            <Button variant="ghost" class="btn--compact" onClick={() => setEditing(true)}>
              Edit
            </Button>
            <Button variant="ghost" class="btn--compact" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          </div>
        </Show>
      </Show>
      <ConfirmDialog
        open={confirming()}
        onClose={() => setConfirming(false)}
        title="Delete this comment?"
        description="It stays in the thread as “Comment deleted”, without its text."
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        tone="danger"
        confirm={removeComment}
      />
    </li>
  );
}
