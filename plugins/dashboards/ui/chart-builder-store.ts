/**
 * The chart builder's state, without a page: the query (SQL text, or a visual query whose SQL
 * is compiled live and carried over by "Switch to SQL"), Run with its result or error, the
 * chart's settings (axes default from the result's columns), and Save, which writes the chart
 * and its query into the dashboard's YAML at the version the builder opened with (a conflict
 * offers the newer version to save on top of). Plain signals, stores and functions, so the
 * logic runs (and is tested) without a browser.
 */
import { createSignal } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type * as DocumentModuleType from "../document";
import type { Chart, QueryDef, VisualDimension, VisualFilter, VisualMeasure, VisualQuery } from "../document/schema";
import { problemOf, type DashboardRecord, type QueryResult, type TableInfo } from "./api";
import type { EditorHandle } from "./CodeEditor";
import { withDbtChart } from "../document/dbt-charts/write";
import { inlineParameters, readDashboard, withChart, type Dashboard } from "./doc";

type DocumentModule = typeof DocumentModuleType;
type VisualSort = NonNullable<VisualQuery["sort"]>[number];

export type BuilderType = Exclude<Chart["type"], "text">;
// The schema's lists, checked against its types; not imported, so zod stays out of the page's first load.
export const BUILDER_TYPES = ["bar", "line", "area", "scatter", "pie", "kpi", "table", "histogram", "heatmap", "spark_bar"] as const satisfies readonly BuilderType[];
export const TRUNCATE_UNITS = ["hour", "day", "week", "month", "quarter", "year"] as const satisfies readonly NonNullable<VisualDimension["truncate"]>[];
export const MEASURE_FNS = ["count", "sum", "avg", "min", "max", "count_distinct"] as const satisfies readonly VisualMeasure["fn"][];
export const FILTER_OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "is_null", "not_null", "between"] as const satisfies readonly VisualFilter["op"][];

/** What the "Chart" panel edits. */
export interface Settings {
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

type Scope = { orgId: string; projectId: string };
type PreviewInput = Scope & { source?: string; sql?: string; visual?: VisualQuery; variables?: Dashboard["variables"]; values?: Record<string, unknown> };

export interface ChartBuilderDependencies {
  /** The dashboard as the builder opened it. */
  record: DashboardRecord;
  /** The chart named by the address; none (or an unknown one) builds a new chart. */
  chartId?: string;
  scope: Scope;
  api: {
    preview(input: PreviewInput): Promise<{ result: QueryResult }>;
    update(input: Scope & { slug: string; yaml: string; version: number; message?: string }): Promise<{ version: number }>;
    get(input: Scope & { slug: string }): Promise<DashboardRecord>;
    tables(orgId: string, source: string): Promise<TableInfo[]>;
  };
  /** The document module (visual query compiler); loaded by `init`, not with the page. */
  loadDocument?: () => Promise<DocumentModule>;
}

export type ChartBuilderStore = ReturnType<typeof createChartBuilderStore>;

/** How the builder names a table: without the `public.` schema. */
export function tableRef(t: Pick<TableInfo, "schema" | "name">): string {
  return t.schema && t.schema !== "public" ? `${t.schema}.${t.name}` : t.name;
}

function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

const NUMERIC = /int|numeric|double|real|float|decimal/i;
const CHART_ID = /^[a-z][a-z0-9_-]*$/;

export function createChartBuilderStore(deps: ChartBuilderDependencies) {
  const loadDocument = deps.loadDocument ?? (() => import("../document"));
  const opened = deps.record;
  // A dbt Charts board comes with the server's reading of it as Atrium's document.
  const doc: Dashboard = opened.document ?? readDashboard(opened.yaml);
  const found = deps.chartId ? doc.charts?.find((c) => c.id === deps.chartId && c.type !== "text") : undefined;
  const existing = found && found.type !== "text" ? found : undefined;
  const existingQuery: QueryDef | undefined = existing ? doc.queries?.[existing.query] : undefined;
  const takenIds = new Set((doc.charts ?? []).map((c) => c.id));

  const [mode, setMode] = createSignal<"visual" | "sql">(existingQuery?.sql && !existingQuery.visual ? "sql" : "visual");
  const [sqlText, setSqlText] = createSignal(existingQuery?.sql ?? "");
  const [visual, setVisual] = createStore<VisualQuery>(
    existingQuery?.visual ? structuredClone(existingQuery.visual) : { table: "", dimensions: [], measures: [], filters: [], sort: [], limit: 1000 },
  );
  const [settings, setSettings] = createStore<Settings>(settingsOf(existing, uniqueId("chart", takenIds)));
  const [tables, setTables] = createSignal<TableInfo[] | undefined>(undefined);
  const [documentModule, setDocumentModule] = createSignal<DocumentModule | undefined>(undefined);
  const [result, setResult] = createSignal<QueryResult | null>(null);
  const [running, setRunning] = createSignal(false);
  const [runError, setRunError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  const [conflict, setConflict] = createSignal<DashboardRecord | null>(null);
  let sqlHandle: EditorHandle | undefined;

  /** A plain copy of the visual query (reading it tracks every field). */
  const snapshot = () => JSON.parse(JSON.stringify(visual)) as VisualQuery;
  const table = () => (tables() ?? []).find((t) => tableRef(t) === visual.table || `${t.schema}.${t.name}` === visual.table);
  const columns = () => (table()?.columns ?? []).map((c) => c.name);

  /** The visual query compiled to SQL (null until a table is picked and the compiler loaded). */
  const compiled = () => {
    const module = documentModule();
    if (!module || !visual.table) return null;
    return module.compileVisual(snapshot(), (tables() ?? []).map((t) => ({ schema: t.schema, name: t.name, columns: t.columns })));
  };
  /** The columns the query gives: the last result's, else what the visual query will name. */
  const outputColumns = () => {
    const r = result();
    if (r?.ok) return r.columns.map((c) => c.name);
    const module = documentModule();
    return module && mode() === "visual" && visual.table ? module.visualOutputColumns(snapshot()) : [];
  };
  const currentSql = () => {
    if (mode() === "sql") return sqlText();
    const c = compiled();
    return c?.ok ? inlineParameters(c.sql, c.parameters) : "";
  };

  const showSql = (text: string) => {
    setSqlText(text);
    setMode("sql");
    sqlHandle?.setValue(text);
  };

  /** After a run: axes the person has not chosen yet come from the columns. */
  const fillDefaults = (cols: readonly { name: string; type: string }[]) => {
    const names = cols.map((c) => c.name);
    const numeric = cols.filter((c) => NUMERIC.test(c.type)).map((c) => c.name);
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

  const run = async () => {
    if (running()) return;
    setRunError(null);
    let input: { sql?: string; visual?: VisualQuery };
    if (mode() === "sql") {
      if (!sqlText().trim()) return void setRunError("Write a query first.");
      input = { sql: sqlText() };
    } else {
      if (!visual.table) return void setRunError("Pick a table first.");
      const c = compiled();
      if (c && !c.ok) return void setRunError(c.errors.map((e) => `${e.message}. ${e.hint}`).join(" "));
      input = { visual: snapshot() };
    }
    setRunning(true);
    try {
      const out = await deps.api.preview({ ...deps.scope, ...(doc.source ? { source: doc.source } : {}), ...input, variables: doc.variables ?? [], values: {} });
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

  const queryId = () => (existing ? existing.query : settings.id.replace(/[^a-z0-9_]/g, "_").replace(/^([^a-z_])/, "q_$1"));
  const chart = (): Chart => chartOf(settings, queryId());
  const queryDef = (): QueryDef => (mode() === "sql" ? { sql: sqlText() } : { visual: snapshot() });

  /** The query to write into a dbt Charts board: only when changed, so its templates stay as written. */
  const changedQuery = () => {
    const q = queryDef();
    const before = doc.queries?.[queryId() ?? ""];
    return before && before.sql === q.sql ? null : q;
  };
  /** Saves into `base` (the opened record, or the newer one a conflict offered); the new version, or null when not saved. */
  const save = async (base: DashboardRecord = opened): Promise<{ version: number } | null> => {
    if (saving()) return null;
    setSaveError(null);
    if (!CHART_ID.test(settings.id)) {
      setSaveError("The chart id must start with a letter and use only a–z, 0–9, - and _.");
      return null;
    }
    if (!existing && takenIds.has(settings.id)) {
      setSaveError(`This dashboard already has a chart “${settings.id}”. Pick another id.`);
      return null;
    }
    if (mode() === "sql" ? !sqlText().trim() : !visual.table) {
      setSaveError("Build or write the query first.");
      return null;
    }
    setSaving(true);
    try {
      // A dbt Charts board stays one: the chart is written into it as a dbt Charts chart, in place.
      const yaml =
        opened.format === "dbt-charts"
          ? withDbtChart(base.yaml, chart(), queryId(), changedQuery(), existing?.id).text
          : withChart(base.yaml, chart(), queryId(), queryDef(), existing?.id);
      const message = existing ? `Chart ${settings.id} changed` : `Chart ${settings.id} added`;
      const saved = await deps.api.update({ ...deps.scope, slug: opened.slug, yaml, version: base.version, message });
      setConflict(null);
      return { version: saved.version };
    } catch (error) {
      const problem = problemOf(error);
      if (problem.code === "CONFLICT") {
        try {
          setConflict(await deps.api.get({ ...deps.scope, slug: opened.slug }));
        } catch (err) {
          setSaveError(problemOf(err).message);
        }
      } else {
        const details = Object.entries(problem.fieldErrors)
          .filter(([k]) => k.startsWith("yaml"))
          .flatMap(([, m]) => m);
        setSaveError(`Not saved: ${details.length ? details.join(" ") : problem.message}`);
      }
      return null;
    } finally {
      setSaving(false);
    }
  };

  /** Edits of one list of the visual query (dimensions, measures, filters, sort). */
  function listOf<K extends "dimensions" | "measures" | "filters" | "sort", T extends NonNullable<VisualQuery[K]>[number]>(key: K) {
    const set = setVisual as unknown as {
      (key: K, fn: (list: T[] | undefined) => T[]): void;
      // Merges into the item in place, so its row keeps its DOM (and focus); undefined removes a field.
      (key: K, index: number, patch: Partial<T>): void;
    };
    return {
      add: (item: T) => set(key, (list) => [...(list ?? []), item]),
      update: (index: number, patch: Partial<T>) => set(key, index, patch),
      remove: (index: number) => set(key, (list) => (list ?? []).filter((_, k) => k !== index)),
    };
  }

  return {
    /** The chart being edited, if the address named one this dashboard has. */
    existing,
    /** The address named a chart this dashboard does not have. */
    missing: !!deps.chartId && !existing,
    opened,
    mode,
    sqlText,
    visual,
    settings,
    tables,
    table,
    columns,
    compiled,
    outputColumns,
    currentSql,
    result,
    running,
    runError,
    saving,
    saveError,
    conflict,
    chart,
    queryId,
    /** The compiler and the source's tables (autocomplete, visual builder). */
    async init() {
      const [module, list] = await Promise.all([loadDocument(), deps.api.tables(deps.scope.orgId, doc.source ?? "warehouse")]);
      setDocumentModule(() => module);
      setTables(list);
    },
    showVisual: () => setMode("visual"),
    /** Carries the visual query's SQL over into the SQL editor. */
    switchToSql: () => showSql(currentSql()),
    /** The person typed in the SQL editor. */
    setSql: setSqlText,
    /** An accepted proposal replaces the SQL. */
    acceptSql: showSql,
    attachSqlEditor(handle: EditorHandle) {
      sqlHandle = handle;
      if (handle.getValue() !== sqlText()) handle.setValue(sqlText());
    },
    /** A new table starts the visual query over. */
    pickTable: (ref: string) => setVisual({ table: ref, dimensions: [], measures: [], filters: [], sort: [] }),
    setLimit: (raw: string) => setVisual("limit", Math.max(1, Math.min(10000, Number(raw) || 1000))),
    dimensions: listOf<"dimensions", VisualDimension>("dimensions"),
    measures: listOf<"measures", VisualMeasure>("measures"),
    filters: listOf<"filters", VisualFilter>("filters"),
    sorts: listOf<"sort", VisualSort>("sort"),
    setSetting<K extends keyof Settings>(key: K, value: Settings[K]) {
      setSettings(key, value as never);
      // A chart type change keeps the form in step: an old save error no longer applies.
      if (key === "type") setSaveError(null);
    },
    run,
    save,
    dismissConflict: () => setConflict(null),
  };
}

/** A filter's typed text as a value: numbers and booleans, lists for in/not_in/between, or `{{variable}}`. */
export function parseFilterValue(op: string, raw: string): unknown {
  const text = raw.trim();
  if (op === "in" || op === "not_in" || op === "between") {
    if (/^\{\{.*\}\}$/.test(text)) return text;
    return text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
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
  } else if (chart.type === "heatmap") {
    base.x = chart.x;
    base.y = chart.y;
    base.color = chart.color;
    base.yFormat = chart.format?.color ?? "";
  } else if (chart.type === "histogram") {
    base.x = chart.x;
    base.color = chart.color ?? "";
    base.yFormat = chart.format?.y ?? "";
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

/** The chart the settings describe, reading query `query`. */
export function chartOf(s: Settings, query: string): Chart {
  const common = { id: s.id, ...(s.title.trim() ? { title: s.title.trim() } : {}) };
  if (s.type === "kpi") {
    return { ...common, type: "kpi", query, value: s.value, ...(s.compare ? { compare: s.compare } : {}), ...(s.yFormat ? { format: { value: s.yFormat } } : {}) };
  }
  if (s.type === "table") return { ...common, type: "table", query };
  const sort = s.sortBy ? { sort: { by: s.sortBy, dir: s.sortDir } } : {};
  const format = s.yFormat ? { format: { y: s.yFormat } } : {};
  if (s.type === "pie") return { ...common, type: "pie", query, x: s.x, y: s.y, ...sort, ...format };
  if (s.type === "spark_bar") return { ...common, type: "spark_bar", query, x: s.x, y: s.y, ...sort, ...format };
  if (s.type === "histogram") return { ...common, type: "histogram", query, x: s.x, ...(s.color ? { color: s.color } : {}), ...format };
  if (s.type === "heatmap") return { ...common, type: "heatmap", query, x: s.x, y: s.y, color: s.color, ...(s.yFormat ? { format: { color: s.yFormat } } : {}) };
  return { ...common, type: s.type, query, x: s.x, y: s.y, ...(s.color ? { color: s.color } : {}), ...sort, ...format } as Chart;
}
