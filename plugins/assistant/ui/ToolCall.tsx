/**
 * One tool call in a conversation, as it happens: running, done (a table, a chart preview, or
 * the raw result), failed, waiting for the person's confirmation (destructive tools), or a
 * proposal into the open editor.
 */
import type { DynamicToolUIPart, ToolUIPart } from "ai";
import { For, Match, Show, Switch } from "solid-js";
import { Button } from "~/ui/components";
import { toolNameOf, WRITE_TO_EDITOR } from "./parts";
import { cell, svgOf, tableOf } from "./results";

type Part = ToolUIPart | DynamicToolUIPart;

const LABELS: Record<string, string> = {
  list_dashboards: "Listed dashboards",
  search_dashboards: "Searched dashboards",
  get_dashboard: "Read a dashboard",
  validate_dashboard: "Checked a dashboard",
  create_dashboard: "Created a dashboard",
  update_dashboard: "Updated a dashboard",
  delete_dashboard: "Delete a dashboard",
  render_chart: "Drew a chart",
  run_query: "Ran a query",
  describe_tables: "Looked at the tables",
  list_data_sources: "Listed data sources",
  delete_data_source: "Remove a data source",
  list_projects: "Listed projects",
};

export function toolLabel(name: string): string {
  return LABELS[name] ?? name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

function ResultView(props: { output: unknown }) {
  const data = () => (props.output as { result?: unknown })?.result;
  const note = () => (props.output as { note?: unknown })?.note;
  return (
    <>
      <Switch
        fallback={
          <details class="assistant-tool__raw">
            <summary>Result</summary>
            <pre class="code">{JSON.stringify(data(), null, 2)}</pre>
          </details>
        }
      >
        <Match when={svgOf(data())}>
          {(chart) => <img class="assistant-tool__chart" alt={`Chart preview: ${chart().title}`} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(chart().svg)}`} />}
        </Match>
        <Match when={tableOf(data())}>
          {(table) => (
            <div class="table-wrap assistant-tool__table">
              <table class="table">
                <thead>
                  <tr>
                    <For each={table().columns}>{(c) => <th scope="col">{c}</th>}</For>
                  </tr>
                </thead>
                <tbody>
                  <For each={table().rows}>{(row) => <tr><For each={row}>{(v) => <td>{cell(v)}</td>}</For></tr>}</For>
                </tbody>
              </table>
              <Show when={table().total > table().rows.length}>
                <p class="muted assistant-tool__more">{table().rows.length} of {table().total} rows shown</p>
              </Show>
            </div>
          )}
        </Match>
      </Switch>
      <Show when={typeof note() === "string"}>
        <p class="muted assistant-tool__note">{note() as string}</p>
      </Show>
    </>
  );
}

export function ToolCall(props: { part: Part; onApprove: (approvalId: string, approved: boolean) => void }) {
  const name = () => toolNameOf(props.part);
  const input = () => (props.part as { input?: unknown }).input;
  const approvalId = () => (props.part as { approval?: { id: string } }).approval?.id ?? "";
  return (
    <Show
      when={name() !== WRITE_TO_EDITOR}
      fallback={
        <div class="assistant-tool" data-tool={name()} data-state={props.part.state}>
          <Switch fallback={<p class="assistant-tool__title">Writing a change…</p>}>
            <Match when={props.part.state === "input-available"}>
              <p class="assistant-tool__title" role="status">Proposed a change: review it in the editor, then Accept or Reject.</p>
              <Show when={(input() as { note?: string })?.note}>{(note) => <p class="muted">{note()}</p>}</Show>
            </Match>
            <Match when={props.part.state === "output-available"}>
              <p class="assistant-tool__title">
                {(props.part as { output?: { accepted?: boolean } }).output?.accepted ? "You accepted the proposed change." : "You rejected the proposed change."}
              </p>
            </Match>
            <Match when={props.part.state === "output-error"}>
              <p class="assistant-tool__title assistant-tool__error">{(props.part as { errorText?: string }).errorText}</p>
            </Match>
          </Switch>
        </div>
      }
    >
      <div class="assistant-tool" data-tool={name()} data-state={props.part.state}>
        <p class="assistant-tool__title">
          <span class="mono">{name()}</span>
          <Switch>
            <Match when={props.part.state === "input-streaming" || props.part.state === "input-available"}>
              <span class="muted"> · running…</span>
            </Match>
            <Match when={props.part.state === "output-error"}>
              <span class="assistant-tool__error"> · failed</span>
            </Match>
            <Match when={props.part.state === "output-denied"}>
              <span class="muted"> · cancelled</span>
            </Match>
          </Switch>
        </p>
        <Show when={props.part.state === "approval-requested"}>
          <div class="assistant-confirm" role="group" aria-label={`Confirm: ${toolLabel(name())}`}>
            <p>
              <strong>{toolLabel(name())}?</strong> The assistant wants to run this, which cannot be undone from here.
            </p>
            <pre class="code">{JSON.stringify(input(), null, 2)}</pre>
            <div class="inline-actions">
              <Button variant="danger" onClick={() => props.onApprove(approvalId(), true)}>
                Confirm
              </Button>
              <Button onClick={() => props.onApprove(approvalId(), false)}>Cancel</Button>
            </div>
          </div>
        </Show>
        <Show when={props.part.state === "approval-responded"}>
          <p class="muted">{(props.part as { approval?: { approved?: boolean } }).approval?.approved ? "Confirmed; running…" : "Cancelled."}</p>
        </Show>
        <Show when={props.part.state === "output-error"}>
          <p class="assistant-tool__error">{(props.part as { errorText?: string }).errorText}</p>
        </Show>
        <Show when={props.part.state === "output-available"}>
          <ResultView output={(props.part as { output?: unknown }).output} />
        </Show>
      </div>
    </Show>
  );
}
