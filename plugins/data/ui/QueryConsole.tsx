/**
 * The SQL console: an editor (CodeMirror, lazy) with autocomplete from the source's tables,
 * Run (Ctrl/Cmd+Enter), and the result as a table with its row count, time, whether it came
 * from the cache, and whether it was cut. SQL errors show right under the editor, with the
 * line and column the database named.
 */
import { createMemo, createSignal, For, lazy, Show, Suspense } from "solid-js";
import type { SQLNamespace } from "@codemirror/lang-sql";
import { Alert, Badge, BusyLabel, Button } from "~/ui/components";
import type { RouterOutputs } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import type { TableInfo } from "./SchemaBrowser";

const SqlEditor = lazy(() => import("./SqlEditor"));

type QueryResult = RouterOutputs["data"]["runQuery"];

const numberFormat = new Intl.NumberFormat("en");
const EXAMPLE = "select * from sample.orders limit 100";

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function QueryConsole(props: { orgId: string; sourceId: string; tables: readonly TableInfo[] | undefined }) {
  const [text, setText] = createSignal("");
  const [result, setResult] = createSignal<QueryResult | null>(null);
  const [ranSql, setRanSql] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);

  const schema = createMemo<SQLNamespace>(() => {
    const namespace: Record<string, Record<string, string[]>> = {};
    for (const table of props.tables ?? []) (namespace[table.schema] ??= {})[table.name] = table.columns.map((c) => c.name);
    return namespace;
  });

  const run = async (refresh = false) => {
    if (pending()) return;
    const sql = refresh ? (ranSql() ?? text()) : text();
    if (!sql.trim()) {
      setError("Write a query first.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      setResult(await trpc.data.runQuery.query({ orgId: props.orgId, sourceId: props.sourceId, sql, refresh }));
      setRanSql(sql);
    } catch (err) {
      const problem = problemOf(err);
      setError(problem.fieldErrors.sql?.[0] ?? problem.message);
    } finally {
      setPending(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="sql-console-title">
      <header class="settings-section__header">
        <div>
          <h2 id="sql-console-title" class="settings-section__title">
            SQL console
          </h2>
          <p id="sql-console-help" class="settings-section__lede">
            One read-only SELECT on the chosen source. Ctrl+Enter (⌘+Enter on a Mac) runs it; Escape then Tab leaves the editor.
          </p>
        </div>
      </header>
      <div class="stack">
        <Suspense fallback={<p class="muted">Loading the editor…</p>}>
          <SqlEditor
            initial=""
            placeholder={`For example: ${EXAMPLE}`}
            schema={schema()}
            labelledBy="sql-console-title"
            describedBy="sql-console-help sql-console-error"
            invalid={!!error()}
            onChange={setText}
            onRun={() => void run()}
          />
        </Suspense>
        <div id="sql-console-error">
          <Alert message={error()} />
        </div>
        <div class="form__actions">
          <Button variant="primary" disabled={pending()} onClick={() => void run()}>
            <BusyLabel busy={pending()} label="Running…">
              Run
            </BusyLabel>
          </Button>
          <Show when={result()}>
            <Button variant="secondary" disabled={pending()} onClick={() => void run(true)} title="Run again, skipping the cache">
              Refresh
            </Button>
          </Show>
        </div>
        <Show when={result()}>{(r) => <ResultTable result={r()} />}</Show>
      </div>
    </section>
  );
}

function ResultTable(props: { result: QueryResult }) {
  const summary = () => {
    const r = props.result;
    return `${numberFormat.format(r.rowCount)} ${r.rowCount === 1 ? "row" : "rows"} in ${r.elapsedMs < 10 ? r.elapsedMs.toFixed(1) : Math.round(r.elapsedMs)} ms`;
  };
  return (
    <div class="stack">
      <p role="status" aria-label="Query result" class="row__meta">
        <span>{summary()}</span>{" "}
        <Show when={props.result.cached}>
          <Badge tone="accent" title={props.result.cachedAt ? `Computed at ${props.result.cachedAt}` : undefined}>
            Cached
          </Badge>
        </Show>
      </p>
      <Show when={props.result.truncated}>
        <p class="notice notice--warning">
          Truncated: only the first {numberFormat.format(props.result.rows.length)} rows are shown
          {props.result.truncatedReason === "bytes" ? " (the result was too large)" : " (more rows than the limit)"}. Add a LIMIT or aggregate to see
          everything.
        </p>
      </Show>
      <div class="table-wrap" style={{ "max-height": "28rem", overflow: "auto" }} tabindex="0" role="region" aria-label="Query result rows">
        <table class="table">
          <caption class="visually-hidden">Query result</caption>
          <thead>
            <tr>
              <For each={props.result.columns}>
                {(column) => (
                  <th scope="col" style={{ position: "sticky", top: "0", background: "var(--surface)", "z-index": "1" }}>
                    {column.name} <span class="muted mono">{column.type}</span>
                  </th>
                )}
              </For>
            </tr>
          </thead>
          <tbody>
            <For each={props.result.rows}>
              {(row) => (
                <tr>
                  <For each={row}>{(value) => <td class={value === null ? "muted mono" : "mono"}>{cellText(value)}</td>}</For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </div>
  );
}
