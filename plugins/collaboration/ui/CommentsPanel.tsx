/**
 * The comments panel of a dashboard, in its action rail: the open/resolved filter, a form for a
 * new thread (on the dashboard, on a chart, or on a chart at the variable values in the address)
 * and every thread under the filter.
 */
import { useSearchParams } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { createForm, FormAlert, SelectField, SubmitButton } from "~/ui/components";
import { LoadFailed } from "~/ui/LoadStates";
import { useCapabilities } from "~/ui/Slot";
import type { StatusFilter } from "./comments-store";
import { createMentions, MentionField } from "./MentionField";
import { ThreadCard } from "./ThreadCard";
import type { DashboardComments } from "./use-comments";

/** The dashboards view keeps variable values in the address as `var.<name>`. */
const VAR_PREFIX = "var.";

export function CommentsPanel(props: { comments: DashboardComments }) {
  const store = () => props.comments.store;
  const capabilities = useCapabilities();
  const [search] = useSearchParams<Record<string, string>>();
  const variables = () => {
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(search)) if (key.startsWith(VAR_PREFIX) && typeof value === "string") values[key.slice(VAR_PREFIX.length)] = value;
    return values;
  };
  const [target, setTarget] = createSignal(store().focusChart() ?? "");
  const hasVariables = () => Object.keys(variables()).length > 0;
  const mentions = createMentions();

  const form = createForm({
    action: async (data, element) => {
      const chartId = String(data.get("target") ?? "") || null;
      const pinned = chartId && data.get("atValues") === "on" ? variables() : null;
      const body = String(data.get("body"));
      await store().add({ body, chartId, variables: pinned, mentions: mentions.idsIn(body) });
      (element.elements.namedItem("body") as HTMLTextAreaElement).value = "";
      mentions.reset();
    },
  });

  const shown = () => {
    const focus = store().focusChart();
    const list = store().threads() ?? [];
    return focus ? [...list.filter((t) => t.chartId === focus), ...list.filter((t) => t.chartId !== focus)] : list;
  };

  return (
    <section id="comments-panel" class="collab-panel" aria-labelledby="comments-title">
      <h2 id="comments-title" class="collab-panel__title">
        Comments
      </h2>
      <div class="collab-filter" role="radiogroup" aria-label="Show threads">
        <For each={["open", "resolved", "all"] as StatusFilter[]}>
          {(f) => (
            <label class="collab-filter__option">
              <input type="radio" name="comment-filter" value={f} checked={store().filter() === f} onChange={() => void store().setFilter(f)} />
              {f === "open" ? "Open" : f === "resolved" ? "Resolved" : "All"}
            </label>
          )}
        </For>
      </div>

      <Show when={capabilities().has("collaboration.comment.write")}>
        <form class="stack collab-new" onSubmit={form.onSubmit} novalidate aria-label="New comment">
          <SelectField
            form={form}
            name="target"
            label="On"
            value={target()}
            onChange={(e) => setTarget(e.currentTarget.value)}
            options={[{ value: "", label: "The whole dashboard" }, ...props.comments.charts.map((c) => ({ value: c.id, label: c.title }))]}
          />
          <Show when={target() && hasVariables()}>
            <label class="checkbox">
              <input type="checkbox" name="atValues" />
              At the current variable values ({Object.entries(variables()).map(([k, v]) => `${k} = ${v}`).join(", ")})
            </label>
          </Show>
          <MentionField form={form} name="body" label="Comment" at={store().at} mentions={mentions} />
          <FormAlert form={form} />
          <SubmitButton form={form} pendingLabel="Posting…">
            Comment
          </SubmitButton>
        </form>
      </Show>

      <Show when={store().problem()}>{(p) => <LoadFailed what="the comments" problem={p()} onRetry={() => void store().refresh()} />}</Show>
      <Show when={store().threads()} fallback={<p class="muted">Loading comments…</p>}>
        <Show when={shown().length} fallback={<p class="muted">{store().filter() === "resolved" ? "No resolved threads." : "No comments yet."}</p>}>
          <ol class="collab-threads" aria-label="Threads">
            <For each={shown()}>{(thread) => <ThreadCard thread={thread} comments={props.comments} />}</For>
          </ol>
        </Show>
      </Show>
    </section>
  );
}
