/**
 * The chart builder: a query, written as SQL (CodeMirror with the source's tables for
 * autocomplete) or built visually (table, dimensions with truncation, measures, filters, sort,
 * limit; its SQL shown live and carried over by "Switch to SQL"); Run shows the rows and a
 * live preview of the chart; the chart's type and settings update the preview as they change.
 * Save puts the chart and its query into the dashboard's YAML (`update` with the version it was
 * loaded at; a newer version is offered to save on top of).
 */
import { useNavigate, useParams, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createEffect, createMemo, createSignal, For, lazy, on, Show, Suspense, type JSX } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type { SQLNamespace } from "@codemirror/lang-sql";
import { Badge, BusyLabel, Button, Dialog, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { useRegisterEditor } from "~/ui/editor-bridge";
import { useToasts } from "~/ui/toasts";
import type { Chart, QueryDef, VisualDimension, VisualFilter, VisualMeasure, VisualQuery } from "../document/schema";
import { dashboardsApi, describeTables, problemOf, type DashboardRecord, type QueryResult, type TableInfo } from "./api";
import { WithAssistant } from "./AssistantColumn";
import { ChartBody, ResultTable } from "./ChartCard";
import type { EditorHandle } from "./CodeEditor";
import { inlineParameters, readDashboard, withChart, type Dashboard } from "./doc";
import type { Current } from "./ProjectFrame";
import { createProposal, ProposalPanel } from "./Proposal";
import { DashboardPage } from "./record";

const CodeEditor = lazy(() => import("./CodeEditor"));

type BuilderType = Exclude<Chart["type"], "text">;
// The schema's lists, checked against its types; not imported, so zod stays out of this page's first load.
const BUILDER_TYPES = ["bar", "line", "area", "scatter", "pie", "kpi", "table"] as const satisfies readonly BuilderType[];
const TRUNCATE_UNITS = ["hour", "day", "week", "month", "quarter", "year"] as const satisfies readonly NonNullable<VisualDimension["truncate"]>[];
const MEASURE_FNS = ["count", "sum", "avg", "min", "max", "count_distinct"] as const satisfies readonly VisualMeasure["fn"][];
const FILTER_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "is_null", "not_null", "between"] as const satisfies readonly VisualFilter["op"][];

interface Settings {
  id: string;
  title: string;
  type: BuilderType;
  x: string;
  y: string;
  color: string;
  sortBy: string;
  sortDir: "asc" | "desc";
  yFormat: string;
  value: string;
  compare: string;
}

export default function ChartBuilderPage(_props: RouteSectionProps) {
  return (
    <DashboardPage loading="Loading the chart builder…">{(current, record) => <Builder current={current()} record={record()} />}</DashboardPage>
  );
}

function tableRef(t: TableInfo): string {
  return t.schema && t.schema !== "public" ? `${t.schema}.${t.name}` : t.name;
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

function Builder(props: { current: Current; record: DashboardRecord }) {
  const params = useParams<{ chartId?: string }>();
  const navigate = useNavigate();
  const toasts = useToasts();
  // The builder works on the record it opened with; a conflict on save offers the newer one.
  // eslint-disable-next-line solid/reactivity
  const opened = props.record;
  const doc: Dashboard = readDashboard(opened.yaml);
  const existing = params.chartId ? doc.charts?.find((c) => c.id === params.chartId && c.type !== "text") : undefined;
  const existingQuery: QueryDef | undefined = existing && "query" in existing ? doc.queries?.[existing.query] : undefined;
  const takenIds = new Set((doc.charts ?? []).map((c) => c.id));
  const [missing] = createSignal(!!params.chartId && !existing);

  const [mode, setMode] = createSignal<"visual" | "sql">(existingQuery?.sql && !existingQuery.visual ? "sql" : "visual");
  const [sqlText, setSqlText] = createSignal(existingQuery?.sql ?? "");
  const [visual, setVisual] = createStore<VisualQuery>(
    existingQuery?.visual ? structuredClone(existingQuery.visual) : { table: "", dimensions: [], measures: [], filters: [], sort: [], limit: 1000 },
  );
  /** A plain copy of the visual query (reading it tracks every field). */
  const snapshot = () => JSON.parse(JSON.stringify(visual)) as VisualQuery;
  const [settings, setSettings] = createStore<Settings>(settingsOf(existing, uniqueId("chart", takenIds)));
  const [result, setResult] = createSignal<QueryResult | null>(null);
  const [running, setRunning] = createSignal(false);
  const [runError, setRunError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  const [conflict, setConflict] = createSignal<DashboardRecord | null>(null);
  let sqlHandle: EditorHandle | undefined;

  const [tables] = createBrowserResource(
    () => ({ orgId: props.current.org.id, source: doc.source ?? "warehouse" }),
    (key) => describeTables(key.orgId, key.source),
  );
  const [documentModule] = createBrowserResource(
    () => true,
    () => import("../document"),
  );
  const schema = createMemo<SQLNamespace>(() => {
    const namespace: Record<string, Record<string, string[]>> = {};
    for (const t of tables.latest ?? []) (namespace[t.schema] ??= {})[t.name] = t.columns.map((c) => c.name);
    return namespace;
  });
  const table = createMemo(() => (tables.latest ?? []).find((t) => tableRef(t) === visual.table || `${t.schema}.${t.name}` === visual.table));
  const columns = () => table()?.columns ?? [];
  const compiled = createMemo(() => {
    const module = documentModule.latest;
    if (!module || !visual.table) return null;
    const q = snapshot();
    return module.compileVisual(q, (tables.latest ?? []).map((t) => ({ schema: t.schema, name: t.name, columns: t.columns })));
  });
  const outputColumns = createMemo(() => {
    const r = result();
    if (r?.ok) return r.columns.map((c) => c.name);
    const module = documentModule.latest;
    return module && mode() === "visual" && visual.table ? module.visualOutputColumns(snapshot()) : [];
  });
  const currentSql = () => {
    if (mode() === "sql") return sqlText();
    const c = compiled();
    return c?.ok ? inlineParameters(c.sql, c.parameters) : "";
  };

  const proposal = createProposal();
  proposal.onAccept((next) => {
    setMode("sql");
    setSqlText(next);
    sqlHandle?.setValue(next);
  });
  useRegisterEditor({
    id: "chart-builder",
    language: "sql",
    label: "Chart SQL",
    getValue: () => currentSql(),
    propose: (next, note) => proposal.open(currentSql(), next, note),
  });

  const switchToSql = () => {
    const text = currentSql();
    setSqlText(text);
    setMode("sql");
    sqlHandle?.setValue(text);
  };

  const run = async () => {
    if (running()) return;
    setRunError(null);
    let input: { sql?: string; visual?: VisualQuery };
    if (mode() === "sql") {
      if (!sqlText().trim()) {
        setRunError("Write a query first.");
        return;
      }
      input = { sql: sqlText() };
    } else {
      const c = compiled();
      if (!visual.table) {
        setRunError("Pick a table first.");
        return;
      }
      if (c && !c.ok) {
        setRunError(c.errors.map((e) => `${e.message}. ${e.hint}`).join(" "));
        return;
      }
      input = { visual: snapshot() };
    }
    setRunning(true);
    try {
      const out = await dashboardsApi.preview.query({
        ...props.current.scope,
        ...(doc.source ? { source: doc.source } : {}),
        ...input,
        variables: doc.variables ?? [],
        values: {},
      });
      setResult(out.result);
      if (out.result.ok) fillDefaults(out.result.columns);
      else setRunError(out.result.error.message + (out.result.error.line ? ` (line ${out.result.error.line})` : ""));
    } catch (error) {
      const problem = problemOf(error);
      setRunError(Object.values(problem.fieldErrors).flat()[0] ?? problem.message);
    } finally {
      setRunning(false);
    }
  };

  /** After a run: axes the person has not chosen yet come from the columns. */
  const fillDefaults = (cols: { name: string; type: string }[]) => {
    const names = cols.map((c) => c.name);
    const numeric = cols.filter((c) => /int|numeric|double|real|float|decimal/i.test(c.type)).map((c) => c.name);
    setSettings(
      produce((s) => {
        if (!names.includes(s.x)) s.x = names[0] ?? "";
        if (!names.includes(s.y)) s.y = numeric.find((n) => n !== s.x) ?? names[1] ?? names[0] ?? "";
        if (!names.includes(s.value)) s.value = numeric[0] ?? names[0] ?? "";
        if (s.color && !names.includes(s.color)) s.color = "";
        if (s.sortBy && !names.includes(s.sortBy) && s.sortBy !== "x" && s.sortBy !== "y") s.sortBy = "";
      }),
    );
  };

  const queryId = () => (existing && "query" in existing ? existing.query : settings.id.replace(/[^a-z0-9_]/g, "_").replace(/^([^a-z_])/, "q_$1"));
  const chart = createMemo<Chart>(() => chartOf(settings, queryId()));
  const queryDef = (): QueryDef => (mode() === "sql" ? { sql: sqlText() } : { visual: snapshot() });

  const save = async (base: DashboardRecord = opened) => {
    if (saving()) return;
    setSaveError(null);
    if (!/^[a-z][a-z0-9_-]*$/.test(settings.id)) {
      setSaveError("The chart id must start with a letter and use only a–z, 0–9, - and _.");
      return;
    }
    if (!existing && takenIds.has(settings.id)) {
      setSaveError(`This dashboard already has a chart “${settings.id}”. Pick another id.`);
      return;
    }
    if (mode() === "sql" ? !sqlText().trim() : !visual.table) {
      setSaveError("Build or write the query first.");
      return;
    }
    setSaving(true);
    try {
      const yaml = withChart(base.yaml, chart(), queryId(), queryDef(), existing?.id);
      const saved = await dashboardsApi.update.mutate({
        ...props.current.scope,
        slug: opened.slug,
        yaml,
        version: base.version,
        message: existing ? `Chart ${settings.id} changed` : `Chart ${settings.id} added`,
      });
      toasts.success(`Saved chart “${settings.title || settings.id}”`, `Dashboard version ${saved.version}.`);
      setConflict(null);
      navigate(`${props.current.base}/d/${opened.slug}`);
    } catch (error) {
      const problem = problemOf(error);
      if (problem.code === "CONFLICT") {
        try {
          setConflict(await dashboardsApi.get.query({ ...props.current.scope, slug: opened.slug }));
        } catch (err) {
          setSaveError(problemOf(err).message);
        }
      } else {
        const details = Object.entries(problem.fieldErrors)
          .filter(([k]) => k.startsWith("yaml"))
          .flatMap(([, m]) => m);
        setSaveError(`Not saved: ${details.length ? details.join(" ") : problem.message}`);
      }
    } finally {
      setSaving(false);
    }
  };

  // A chart type change keeps the preview in step.
  createEffect(on(() => settings.type, () => setSaveError(null), { defer: true }));

  const dashboardHref = () => `${props.current.base}/d/${opened.slug}`;
  const field = (id: string, label: string, control: JSX.Element, hint?: string) => (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
      </label>
      <Show when={hint}>
        <p class="field__hint">{hint}</p>
      </Show>
      {control}
    </div>
  );
  const columnSelect = (id: string, value: string, onChange: (v: string) => void, options: readonly string[], empty?: string) => (
    <select id={id} class="input select" onChange={(e) => onChange(e.currentTarget.value)}>
      <Show when={empty !== undefined}>
        <option value="" selected={value === ""}>
          {empty}
        </option>
      </Show>
      <For each={value && !options.includes(value) ? [value, ...options] : options}>
        {(name) => (
          <option value={name} selected={name === value}>
            {name}
          </option>
        )}
      </For>
    </select>
  );

  return (
    <WithAssistant assistant={{ projectId: props.current.project.id, dashboardSlug: opened.slug, chartId: existing?.id ?? null, place: "chart.builder" }}>
      <div class="stack">
        <Title>{existing ? `Chart ${existing.id}` : "New chart"} · Atrium</Title>
        <header class="page-header dash-header">
          <div>
            <p class="eyebrow">
              <Link href={dashboardHref()}>{opened.title}</Link>
            </p>
            <h1 class="page-header__title">{existing ? `Edit chart: ${existing.title ?? existing.id}` : "New chart"}</h1>
          </div>
          <div class="dash-header__actions">
            <Link href={dashboardHref()} variant="button-secondary">
              Cancel
            </Link>
          </div>
        </header>
        <Show when={missing()}>
          <p class="notice notice--warning">This dashboard has no chart “{params.chartId}”. You are building a new one.</p>
        </Show>
        <ProposalPanel proposal={proposal} language="sql" />

        <section class="panel stack" aria-labelledby="query-title">
          <div class="dash-header">
            <h2 id="query-title" class="panel__title">
              Query
            </h2>
            <div class="tabs" role="group" aria-label="Query mode">
              <button type="button" class="tab" classList={{ "tab--active": mode() === "visual" }} aria-pressed={mode() === "visual"} onClick={() => setMode("visual")}>
                Visual
              </button>
              <button type="button" class="tab" classList={{ "tab--active": mode() === "sql" }} aria-pressed={mode() === "sql"} onClick={() => (mode() === "visual" ? switchToSql() : undefined)}>
                SQL
              </button>
            </div>
          </div>

          <Show when={mode() === "visual"}>
            <div class="stack">
              <div class="dash-builder-fields">
                {field(
                  "vb-table",
                  "Table",
                  <select
                    id="vb-table"
                    class="input select"
                    onChange={(e) => setVisual({ table: e.currentTarget.value, dimensions: [], measures: [], filters: [], sort: [] })}
                  >
                    <option value="" selected={!visual.table}>
                      {tables.latest ? "Pick a table" : "Loading tables…"}
                    </option>
                    <For each={tables.latest ?? []}>
                      {(t) => (
                        <option value={tableRef(t)} selected={tableRef(t) === visual.table}>
                          {t.schema}.{t.name}
                        </option>
                      )}
                    </For>
                  </select>,
                )}
                {field(
                  "vb-limit",
                  "Row limit",
                  <input id="vb-limit" class="input" type="number" min="1" max="10000" value={visual.limit ?? 1000} onChange={(e) => setVisual("limit", Math.max(1, Math.min(10000, Number(e.currentTarget.value) || 1000)))} />,
                )}
              </div>

              <fieldset class="fieldset stack">
                <legend class="field__label">Dimensions (group by)</legend>
                <For each={visual.dimensions ?? []}>
                  {(d, i) => (
                    <div class="dash-builder-item">
                      {field(`vb-dim-${i()}`, `Dimension ${i() + 1} column`, columnSelect(`vb-dim-${i()}`, d.column, (v) => setVisual("dimensions", i(), "column", v), columns().map((c) => c.name)))}
                      {field(
                        `vb-dim-${i()}-trunc`,
                        `Dimension ${i() + 1} truncate`,
                        <select
                          id={`vb-dim-${i()}-trunc`}
                          class="input select"
                          onChange={(e) => setVisual("dimensions", i(), "truncate", (e.currentTarget.value || undefined) as never)}
                        >
                          <option value="" selected={!d.truncate}>
                            No truncation
                          </option>
                          <For each={TRUNCATE_UNITS}>
                            {(u) => (
                              <option value={u} selected={d.truncate === u}>
                                {u}
                              </option>
                            )}
                          </For>
                        </select>,
                      )}
                      <Button class="btn--compact" variant="ghost" aria-label={`Remove dimension ${i() + 1}`} onClick={() => setVisual("dimensions", (list) => (list ?? []).filter((_, k) => k !== i()))}>
                        Remove
                      </Button>
                    </div>
                  )}
                </For>
                <div>
                  <Button class="btn--compact" disabled={!columns().length} onClick={() => setVisual("dimensions", (list) => [...(list ?? []), { column: columns()[0]?.name ?? "" }])}>
                    Add dimension
                  </Button>
                </div>
              </fieldset>

              <fieldset class="fieldset stack">
                <legend class="field__label">Measures</legend>
                <For each={visual.measures ?? []}>
                  {(m, i) => (
                    <div class="dash-builder-item">
                      {field(
                        `vb-m-${i()}-fn`,
                        `Measure ${i() + 1} function`,
                        <select id={`vb-m-${i()}-fn`} class="input select" onChange={(e) => setVisual("measures", i(), "fn", e.currentTarget.value as never)}>
                          <For each={MEASURE_FNS}>
                            {(fn) => (
                              <option value={fn} selected={m.fn === fn}>
                                {fn}
                              </option>
                            )}
                          </For>
                        </select>,
                      )}
                      {field(
                        `vb-m-${i()}-col`,
                        `Measure ${i() + 1} column`,
                        columnSelect(`vb-m-${i()}-col`, m.column ?? "", (v) => setVisual("measures", i(), "column", v || undefined), columns().map((c) => c.name), m.fn === "count" ? "(rows)" : undefined),
                      )}
                      <Button class="btn--compact" variant="ghost" aria-label={`Remove measure ${i() + 1}`} onClick={() => setVisual("measures", (list) => (list ?? []).filter((_, k) => k !== i()))}>
                        Remove
                      </Button>
                    </div>
                  )}
                </For>
                <div>
                  <Button class="btn--compact" disabled={!columns().length} onClick={() => setVisual("measures", (list) => [...(list ?? []), { fn: "count" }])}>
                    Add measure
                  </Button>
                </div>
              </fieldset>

              <fieldset class="fieldset stack">
                <legend class="field__label">Filters</legend>
                <For each={visual.filters ?? []}>
                  {(f, i) => (
                    <div class="dash-builder-item">
                      {field(`vb-f-${i()}-col`, `Filter ${i() + 1} column`, columnSelect(`vb-f-${i()}-col`, f.column, (v) => setVisual("filters", i(), "column", v), columns().map((c) => c.name)))}
                      {field(
                        `vb-f-${i()}-op`,
                        `Filter ${i() + 1} operator`,
                        <select id={`vb-f-${i()}-op`} class="input select" onChange={(e) => setVisual("filters", i(), "op", e.currentTarget.value as never)}>
                          <For each={FILTER_OPS}>
                            {(op) => (
                              <option value={op} selected={f.op === op}>
                                {op}
                              </option>
                            )}
                          </For>
                        </select>,
                      )}
                      <Show when={f.op !== "is_null" && f.op !== "not_null"}>
                        {field(
                          `vb-f-${i()}-value`,
                          `Filter ${i() + 1} value`,
                          <input
                            id={`vb-f-${i()}-value`}
                            class="input"
                            value={Array.isArray(f.value) ? f.value.join(", ") : f.value === null || f.value === undefined ? "" : String(f.value)}
                            onChange={(e) => setVisual("filters", i(), "value", parseFilterValue(f.op, e.currentTarget.value) as never)}
                          />,
                          "A value, a list with commas (in, between), or {{variable}}",
                        )}
                      </Show>
                      <Button class="btn--compact" variant="ghost" aria-label={`Remove filter ${i() + 1}`} onClick={() => setVisual("filters", (list) => (list ?? []).filter((_, k) => k !== i()))}>
                        Remove
                      </Button>
                    </div>
                  )}
                </For>
                <div>
                  <Button class="btn--compact" disabled={!columns().length} onClick={() => setVisual("filters", (list) => [...(list ?? []), { column: columns()[0]?.name ?? "", op: "eq", value: "" }])}>
                    Add filter
                  </Button>
                </div>
              </fieldset>

              <fieldset class="fieldset stack">
                <legend class="field__label">Sort</legend>
                <For each={visual.sort ?? []}>
                  {(s, i) => (
                    <div class="dash-builder-item">
                      {field(`vb-s-${i()}-by`, `Sort ${i() + 1} by`, columnSelect(`vb-s-${i()}-by`, s.by, (v) => setVisual("sort", i(), "by", v), outputColumns()))}
                      {field(
                        `vb-s-${i()}-dir`,
                        `Sort ${i() + 1} direction`,
                        <select id={`vb-s-${i()}-dir`} class="input select" onChange={(e) => setVisual("sort", i(), "dir", e.currentTarget.value as "asc" | "desc")}>
                          <option value="asc" selected={s.dir !== "desc"}>
                            ascending
                          </option>
                          <option value="desc" selected={s.dir === "desc"}>
                            descending
                          </option>
                        </select>,
                      )}
                      <Button class="btn--compact" variant="ghost" aria-label={`Remove sort ${i() + 1}`} onClick={() => setVisual("sort", (list) => (list ?? []).filter((_, k) => k !== i()))}>
                        Remove
                      </Button>
                    </div>
                  )}
                </For>
                <div>
                  <Button class="btn--compact" disabled={!outputColumns().length} onClick={() => setVisual("sort", (list) => [...(list ?? []), { by: outputColumns()[0] ?? "", dir: "desc" }])}>
                    Add sort
                  </Button>
                </div>
              </fieldset>

              <div class="stack">
                <h3 id="vb-sql-title" class="field__label">
                  SQL
                </h3>
                <Show
                  when={compiled()}
                  fallback={<p class="muted">{visual.table ? "Compiling…" : "Pick a table to see the SQL."}</p>}
                >
                  {(c) => (
                    <Show
                      when={c().ok}
                      fallback={
                        <ul class="dash-errors" aria-label="Query problems">
                          <For each={c().ok ? [] : (c() as { errors: { path: string; message: string; hint: string }[] }).errors}>
                            {(e) => (
                              <li>
                                {e.message}. {e.hint}
                              </li>
                            )}
                          </For>
                        </ul>
                      }
                    >
                      <pre class="dash-sql" aria-labelledby="vb-sql-title" data-testid="compiled-sql">
                        {currentSql()}
                      </pre>
                    </Show>
                  )}
                </Show>
                <div>
                  <Button onClick={switchToSql} disabled={!currentSql()}>
                    Switch to SQL
                  </Button>
                </div>
              </div>
            </div>
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
                initial={sqlText()}
                schema={schema()}
                labelledBy="sql-title"
                describedBy="sql-help run-status"
                minHeight="8em"
                onChange={setSqlText}
                onRun={() => void run()}
                onReady={(h) => {
                  sqlHandle = h;
                  if (h.getValue() !== sqlText()) h.setValue(sqlText());
                }}
              />
            </Suspense>
          </div>

          <div class="form__actions">
            <Button variant="primary" onClick={() => void run()} disabled={running()}>
              <BusyLabel busy={running()} label="Running…">
                Run
              </BusyLabel>
            </Button>
          </div>
          <div id="run-status" role="status" aria-live="polite" class="muted">
            <Show when={result()?.ok ? result() : null}>
              {(r) => {
                const ok = r() as Extract<QueryResult, { ok: true }>;
                return (
                  <span>
                    {ok.rows.length} {ok.rows.length === 1 ? "row" : "rows"} in {Math.round(ok.ms)} ms{ok.truncated ? " (truncated)" : ""}{" "}
                    <Show when={ok.cached}>
                      <Badge tone="accent">Cached</Badge>
                    </Show>
                  </span>
                );
              }}
            </Show>
          </div>
          <div role="alert">
            <Show when={runError()}>
              <p class="alert alert--error">{runError()}</p>
            </Show>
          </div>
        </section>

        <div class="dash-split">
          <section class="panel stack" aria-labelledby="preview-title">
            <h2 id="preview-title" class="panel__title">
              Preview
            </h2>
            <Show when={result()} fallback={<p class="muted">Run the query to see the chart.</p>}>
              {(r) => (
                <div class="dash-card" data-chart="preview">
                  <ChartBody chart={chart()} result={r()} />
                </div>
              )}
            </Show>
            <Show when={result()?.ok ? result() : null}>
              {(r) => <ResultTable data={r() as Extract<QueryResult, { ok: true }>} caption="Query result" maxHeight="18rem" />}
            </Show>
          </section>

          <section class="panel stack" aria-labelledby="settings-title">
            <h2 id="settings-title" class="panel__title">
              Chart
            </h2>
            <div class="dash-builder-fields">
              {field("cs-title", "Title", <input id="cs-title" class="input" value={settings.title} maxLength={200} onInput={(e) => setSettings("title", e.currentTarget.value)} />)}
              {field(
                "cs-id",
                "Chart id",
                <input id="cs-id" class="input input--mono" value={settings.id} readOnly={!!existing} maxLength={63} onInput={(e) => setSettings("id", e.currentTarget.value.trim())} />,
              )}
              {field(
                "cs-type",
                "Chart type",
                <select id="cs-type" class="input select" onChange={(e) => setSettings("type", e.currentTarget.value as BuilderType)}>
                  <For each={BUILDER_TYPES}>
                    {(t) => (
                      <option value={t} selected={settings.type === t}>
                        {t}
                      </option>
                    )}
                  </For>
                </select>,
              )}
              <Show when={settings.type !== "kpi" && settings.type !== "table"}>
                {field("cs-x", settings.type === "pie" ? "Category (x)" : "X axis", columnSelect("cs-x", settings.x, (v) => setSettings("x", v), outputColumns()))}
                {field("cs-y", settings.type === "pie" ? "Value (y)" : "Y axis", columnSelect("cs-y", settings.y, (v) => setSettings("y", v), outputColumns()))}
                <Show when={settings.type !== "pie"}>
                  {field("cs-color", "Color (series)", columnSelect("cs-color", settings.color, (v) => setSettings("color", v), outputColumns(), "None"))}
                </Show>
                {field(
                  "cs-sort",
                  "Sort by",
                  <select id="cs-sort" class="input select" onChange={(e) => setSettings("sortBy", e.currentTarget.value)}>
                    <option value="" selected={!settings.sortBy}>
                      Query order
                    </option>
                    <option value="x" selected={settings.sortBy === "x"}>
                      x
                    </option>
                    <option value="y" selected={settings.sortBy === "y"}>
                      y
                    </option>
                  </select>,
                )}
                <Show when={settings.sortBy}>
                  {field(
                    "cs-sort-dir",
                    "Sort direction",
                    <select id="cs-sort-dir" class="input select" onChange={(e) => setSettings("sortDir", e.currentTarget.value as "asc" | "desc")}>
                      <option value="asc" selected={settings.sortDir === "asc"}>
                        ascending
                      </option>
                      <option value="desc" selected={settings.sortDir === "desc"}>
                        descending
                      </option>
                    </select>,
                  )}
                </Show>
                {field(
                  "cs-format",
                  "Y format",
                  <input id="cs-format" class="input input--mono" value={settings.yFormat} placeholder=",.0f" maxLength={60} onInput={(e) => setSettings("yFormat", e.currentTarget.value.trim())} />,
                  "A d3-format, e.g. $,.0f or .1%",
                )}
              </Show>
              <Show when={settings.type === "kpi"}>
                {field("cs-value", "Value", columnSelect("cs-value", settings.value, (v) => setSettings("value", v), outputColumns()))}
                {field("cs-compare", "Compare with", columnSelect("cs-compare", settings.compare, (v) => setSettings("compare", v), outputColumns(), "None"))}
                {field(
                  "cs-format",
                  "Value format",
                  <input id="cs-format" class="input input--mono" value={settings.yFormat} placeholder=",.0f" maxLength={60} onInput={(e) => setSettings("yFormat", e.currentTarget.value.trim())} />,
                )}
              </Show>
            </div>
            <div role="alert">
              <Show when={saveError()}>
                <p class="alert alert--error">{saveError()}</p>
              </Show>
            </div>
            <div class="form__actions">
              <Button variant="primary" onClick={() => void save()} disabled={saving()}>
                <BusyLabel busy={saving()} label="Saving…">
                  {existing ? "Save chart" : "Save into dashboard"}
                </BusyLabel>
              </Button>
            </div>
          </section>
        </div>

        <Dialog
          open={!!conflict()}
          onClose={() => setConflict(null)}
          title="Someone saved a newer version"
          description={<p>The dashboard changed since you opened the builder (it is now at version {conflict()?.version}). Add your chart to their version, or cancel.</p>}
        >
          <div class="form__actions">
            <Button variant="primary" disabled={saving()} onClick={() => void save(conflict()!)}>
              Save my chart on top of theirs
            </Button>
            <Button onClick={() => setConflict(null)}>Cancel</Button>
          </div>
        </Dialog>
      </div>
    </WithAssistant>
  );
}

function parseFilterValue(op: string, raw: string): unknown {
  const text = raw.trim();
  if (op === "in" || op === "not_in" || op === "between") {
    if (/^\{\{.*\}\}$/.test(text)) return text;
    return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
  }
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

function settingsOf(chart: Chart | undefined, newId: string): Settings {
  const base: Settings = { id: newId, title: "", type: "bar", x: "", y: "", color: "", sortBy: "", sortDir: "asc", yFormat: "", value: "", compare: "" };
  if (!chart || chart.type === "text") return base;
  base.id = chart.id;
  base.title = chart.title ?? "";
  base.type = chart.type;
  if (chart.type === "kpi") {
    base.value = chart.value;
    base.compare = chart.compare ?? "";
    base.yFormat = chart.format?.value ?? "";
  } else if (chart.type !== "table") {
    base.x = chart.x;
    base.y = Array.isArray(chart.y) ? (chart.y[0] ?? "") : chart.y;
    base.color = "color" in chart ? (chart.color ?? "") : "";
    base.sortBy = chart.sort?.by ?? "";
    base.sortDir = chart.sort?.dir ?? "asc";
    base.yFormat = chart.format?.y ?? "";
  }
  return base;
}

function chartOf(s: Settings, query: string): Chart {
  const common = { id: s.id, ...(s.title.trim() ? { title: s.title.trim() } : {}) };
  if (s.type === "kpi") {
    return { ...common, type: "kpi", query, value: s.value, ...(s.compare ? { compare: s.compare } : {}), ...(s.yFormat ? { format: { value: s.yFormat } } : {}) };
  }
  if (s.type === "table") return { ...common, type: "table", query };
  const sort = s.sortBy ? { sort: { by: s.sortBy, dir: s.sortDir } } : {};
  const format = s.yFormat ? { format: { y: s.yFormat } } : {};
  if (s.type === "pie") return { ...common, type: "pie", query, x: s.x, y: s.y, ...sort, ...format };
  return { ...common, type: s.type, query, x: s.x, y: s.y, ...(s.color ? { color: s.color } : {}), ...sort, ...format } as Chart;
}
