/**
 * A dashboard: its variables bar (values in the address, so a view is linkable), Refresh and
 * the last run's time, and its charts on a 12-column grid (rows, grid or tabs), each in a card
 * with its own error in place. A banner that draws the dashboard otherwise (a git branch's
 * version) takes the live charts' place while it says so (`replaceView`); they run again when
 * it gives the place back.
 */
import { useSearchParams, type RouteSectionProps } from "@solidjs/router";
import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import { Badge, BusyLabel, Button, Link } from "~/ui/components";
import { formatDateTime, formatRelative, isoOf } from "~/ui/format";
import { usePaintedOnce } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { Slot, useCapabilities } from "~/ui/Slot";
import { Title } from "@solidjs/meta";
import { dashboardsApi, problemOf, type DashboardRecord, type Problem, type RunOutput } from "./api";
import { RecordStates, useDashboardRecord } from "./record";
import { WithAssistant } from "./AssistantColumn";
import { ChartCard, Markdown } from "./ChartCard";
import { escapeMarkdown, renderTextTemplate } from "../document/dbt-charts/template";
import type { Dashboard } from "../document/schema";
import { encodeValue, sectionsOf, valuesFromQuery, VAR_PREFIX, type Cell } from "./layout";
import { ProjectFrame, type Current } from "./ProjectFrame";
import { ExportButton } from "./ExportButton";
import { UnmappedSources } from "./UnmappedSources";
import { VariablesBar } from "./VariablesBar";
import { DashboardTabs } from "./DashboardTabs";

export default function ViewPage(_props: RouteSectionProps) {
  return <ProjectFrame loading="Loading dashboard…">{(current) => <DashboardLoader current={current()} />}</ProjectFrame>;
}

function DashboardLoader(props: { current: Current }) {
  const { record, refetch } = useDashboardRecord(() => props.current);
  return (
    <RecordStates record={record} onRetry={() => void refetch()}>
      {(r) => <DashboardView current={props.current} record={r()} />}
    </RecordStates>
  );
}

function DashboardView(props: { current: Current; record: DashboardRecord }) {
  const capabilities = useCapabilities();
  const canEdit = () => capabilities().has("dashboard.edit");
  const [search, setSearch] = useSearchParams<Record<string, string>>();
  // The record comes read: a dbt Charts board with the server's reading of it, an Atrium
  // document read by the page record's `prepare` (../ui.ts), which keeps the YAML parser out of
  // this page's first load.
  const doc = createMemo<Dashboard>(() => props.record.document ?? { title: props.record.title });
  const given = createMemo(() => valuesFromQuery(doc().variables ?? [], search), undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  const dashboardBase = () => `${props.current.base}/d/${props.record.slug}`;

  const [run, setRun] = createSignal<RunOutput | null>(null);
  const [running, setRunning] = createSignal(false);
  const [replaced, setReplaced] = createSignal(false);
  const [runProblem, setRunProblem] = createSignal<Problem | null>(null);
  let seq = 0;
  const execute = async (refresh: boolean) => {
    const mine = ++seq;
    setRunning(true);
    try {
      const out = await dashboardsApi.run.query({ ...props.current.scope, slug: props.record.slug, variables: given(), refresh });
      if (mine === seq) {
        setRun(out);
        setRunProblem(null);
      }
    } catch (error) {
      if (mine === seq) setRunProblem(problemOf(error));
    } finally {
      if (mine === seq) setRunning(false);
    }
  };
  createEffect(
    on([() => props.record.version, given, replaced], ([, , elsewhere]) => {
      if (!elsewhere) void execute(false);
    }),
  );

  // "Last run 2 minutes ago" stays true as time passes.
  const [now, setNow] = createSignal(Date.now());
  onMount(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    onCleanup(() => clearInterval(timer));
  });

  const setVariable = (name: string, value: unknown) => setSearch({ [`${VAR_PREFIX}${name}`]: encodeValue(value) });
  const sections = createMemo(() => sectionsOf(doc()));
  const [tab, setTab] = createSignal(0);
  /** The chart, with `{{ var }}` / `{% if %}` in a dbt Charts board's texts rendered from the values (as text). */
  const chartById = (id: string) => {
    const chart = doc().charts?.find((c) => c.id === id);
    if (!chart || props.record.format !== "dbt-charts") return chart;
    const values = run()?.variables ?? given();
    const text = (t: string | undefined) => (t === undefined ? undefined : renderTextTemplate(t, values));
    return chart.type === "text"
      ? { ...chart, markdown: renderTextTemplate(chart.markdown, values, escapeMarkdown) }
      : { ...chart, ...(chart.title !== undefined ? { title: text(chart.title) } : {}), ...(chart.description !== undefined ? { description: text(chart.description) } : {}) };
  };
  const resultFor = (chartId: string) => {
    const chart = chartById(chartId);
    const out = run();
    if (!chart || chart.type === "text" || !out) return undefined;
    return out.results[chart.query] ?? { ok: false as const, error: { code: "missing", message: `The query “${chart.query}” gave no result.` } };
  };

  return (
    <WithAssistant assistant={{ projectId: props.current.project.id, dashboardSlug: props.record.slug, chartId: null, place: "dashboard.view" }}>
      <div class="stack">
        <Title>{doc().title} · Atrium</Title>
        <header class="page-header dash-header">
          <div>
            <p class="eyebrow">
              <Link href={`${props.current.base}/dashboards`}>{props.current.project.name}: dashboards</Link>
            </p>
            <h1 class="page-header__title">{doc().title}</h1>
            <Show when={doc().tags?.length}>
              <p class="dash-list__tags" aria-label="Tags">
                <For each={doc().tags}>{(tag) => <Badge tone="accent">{tag}</Badge>}</For>
              </p>
            </Show>
          </div>
          <div class="dash-header__actions">
            <Show when={!replaced()}>
              <Button onClick={() => void execute(true)} disabled={running()} aria-describedby="dash-run-status">
                <BusyLabel busy={running()} label="Running…">
                  Refresh
                </BusyLabel>
              </Button>
            </Show>
            <Show when={canEdit()}>
              <Link href={`${dashboardBase()}/charts/new`} variant="button-secondary">
                Add chart
              </Link>
              <Link href={`${dashboardBase()}/edit`} variant="button-primary">
                Edit
              </Link>
            </Show>
            <Link href={`${dashboardBase()}/history`} variant="button-secondary">
              History
            </Link>
            <ExportButton record={props.record} />
          </div>
        </header>
        <Show when={props.record.deletedAt}>
          <p class="notice notice--warning">This dashboard is deleted. Restore it from the dashboards list (Deleted).</p>
        </Show>
        <UnmappedSources record={props.record} base={props.current.base} canEdit={canEdit()} />
        <Slot name="dashboard.banners" props={{ dashboardSlug: props.record.slug, replaceView: setReplaced }} />
        <Show when={!replaced()}>
          <Show when={doc().description}>{(text) => <Markdown text={text()} />}</Show>

          <p id="dash-run-status" class="muted" role="status" aria-live="polite">
            <Switch>
              <Match when={running() && !run()}>Running the queries…</Match>
              <Match when={run()}>
                {(out) => (
                  <>
                    {running() ? "Running again… " : ""}Last run{" "}
                    <time datetime={isoOf(out().ranAt)} title={formatDateTime(out().ranAt)}>
                      {formatRelative(out().ranAt, now())}
                    </time>
                  </>
                )}
              </Match>
            </Switch>
          </p>
          <div role="alert">
            <Show when={runProblem()}>{(p) => <LoadFailed what="the dashboard’s data" problem={p()} onRetry={() => void execute(false)} />}</Show>
          </div>

          <Show when={doc().variables?.length}>
            <VariablesBar variables={doc().variables ?? []} values={run()?.variables ?? given()} options={run()?.variableOptions ?? {}} onChange={setVariable} />
          </Show>

          <Show when={sections().length > 1}>
            <DashboardTabs titles={sections().map((section) => section.title)} selected={tab()} onSelect={setTab} />
          </Show>

          <Show
            when={(doc().charts ?? []).length}
            fallback={
              <p class="muted">
                No charts yet.{" "}
                <Show when={canEdit()}>
                  <Link href={`${dashboardBase()}/charts/new`}>Add a chart</Link>
                </Show>
              </p>
            }
          >
            <div id="dash-tabpanel" role={sections().length > 1 ? "tabpanel" : undefined} aria-labelledby={sections().length > 1 ? `dash-tab-${tab()}` : undefined}>
              <Grid rows={sections()[Math.min(tab(), sections().length - 1)]?.rows ?? []} grid={!!sections()[tab()]?.grid}>
                {(cell) => (
                  <Show when={chartById(cell.chart)} fallback={<p class="dash-error">The layout names a chart “{cell.chart}” that does not exist.</p>}>
                    {(chart) => (
                      <ChartCard
                        chart={chart()}
                        result={resultFor(cell.chart)}
                        running={running()}
                        height={cell.h ? cell.h * 60 : undefined}
                        editHref={canEdit() && chart().type !== "text" ? `${dashboardBase()}/charts/${chart().id}` : undefined}
                      />
                    )}
                  </Show>
                )}
              </Grid>
            </div>
          </Show>
        </Show>
      </div>
    </WithAssistant>
  );
}

/**
 * The cards on the grid. They come one frame after the page's header and notices (an empty
 * card in each cell until then): building eight cards took as long as the rest of the page, and
 * the page's title and notices waited for them to paint.
 */
function Grid(props: { rows: Cell[][]; grid: boolean; children: (cell: Cell) => ReturnType<typeof Show> }) {
  const painted = usePaintedOnce();
  return (
    <div class="dash-grid">
      <For each={props.rows}>
        {(row) => (
          <For each={row}>
            {(cell) => (
              <div class="dash-cell" style={{ "--span": String(cell.width), ...(props.grid && cell.x !== undefined ? { "--x": String(cell.x) } : {}) }} data-x={props.grid && cell.x !== undefined ? "" : undefined}>
                <Show when={painted()} fallback={<div class="dash-card dash-card--pending" aria-hidden="true" />}>
                  {props.children(cell)}
                </Show>
              </div>
            )}
          </For>
        )}
      </For>
    </div>
  );
}
