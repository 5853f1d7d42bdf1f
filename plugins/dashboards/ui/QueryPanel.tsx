/** The chart builder's query panel: Visual or SQL, Run, and the run's status or error. */
import { createMemo, lazy, Show, Suspense } from "solid-js";
import type { SQLNamespace } from "@codemirror/lang-sql";
import { Badge, BusyLabel, Button } from "~/ui/components";
import type { QueryResult } from "./api";
import type { ChartBuilderStore } from "./chart-builder-store";
import { VisualQueryEditor } from "./VisualQueryEditor";

const CodeEditor = lazy(() => import("./CodeEditor"));

export function QueryPanel(props: { store: ChartBuilderStore }) {
  const store = () => props.store;
  const schema = createMemo<SQLNamespace>(() => {
    const namespace: Record<string, Record<string, string[]>> = {};
    for (const t of store().tables() ?? []) (namespace[t.schema] ??= {})[t.name] = t.columns.map((c) => c.name);
    return namespace;
  });
  // Compiled once per change of the visual query, for the panel's several readers.
  const compiled = createMemo(() => store().compiled());
  const mode = () => store().mode();
  return (
    <section class="panel stack" aria-labelledby="query-title">
      <div class="dash-header">
        <h2 id="query-title" class="panel__title">
          Query
        </h2>
        <div class="tabs" role="group" aria-label="Query mode">
          <button type="button" class="tab" classList={{ "tab--active": mode() === "visual" }} aria-pressed={mode() === "visual"} onClick={() => store().showVisual()}>
            Visual
          </button>
          <button type="button" class="tab" classList={{ "tab--active": mode() === "sql" }} aria-pressed={mode() === "sql"} onClick={() => (mode() === "visual" ? store().switchToSql() : undefined)}>
            SQL
          </button>
        </div>
      </div>

      <Show when={mode() === "visual"}>
        <VisualQueryEditor store={store()} compiled={compiled()} />
      </Show>

      <div hidden={mode() !== "sql"}>
        <h3 id="sql-title" class="field__label">
          Chart SQL
        </h3>
        <p id="sql-help" class="muted">
          One read-only SELECT. Use {"{{variable}}"} for the dashboard’s variables. Ctrl+Enter (⌘+Enter) runs it.
        </p>
        <Suspense fallback={<p class="muted">Loading the editor…</p>}>
          <CodeEditor
            language="sql"
            initial={store().sqlText()}
            schema={schema()}
            labelledBy="sql-title"
            describedBy="sql-help run-status"
            minHeight="8em"
            onChange={(text) => store().setSql(text)}
            onRun={() => void store().run()}
            onReady={(handle) => store().attachSqlEditor(handle)}
          />
        </Suspense>
      </div>

      <div class="form__actions">
        <Button variant="primary" onClick={() => void store().run()} disabled={store().running()}>
          <BusyLabel busy={store().running()} label="Running…">
            Run
          </BusyLabel>
        </Button>
      </div>
      <div id="run-status" role="status" aria-live="polite" class="muted">
        <Show when={okResult(store().result())}>
          {(ok) => (
            <span>
              {ok().rows.length} {ok().rows.length === 1 ? "row" : "rows"} in {Math.round(ok().ms)} ms{ok().truncated ? " (truncated)" : ""}{" "}
              <Show when={ok().cached}>
                <Badge tone="accent">Cached</Badge>
              </Show>
            </span>
          )}
        </Show>
      </div>
      <div role="alert">
        <Show when={store().runError()}>
          <p class="alert alert--error">{store().runError()}</p>
        </Show>
      </div>
    </section>
  );
}

/** The result, when the run succeeded. */
export function okResult(result: QueryResult | null): Extract<QueryResult, { ok: true }> | null {
  return result?.ok ? result : null;
}
