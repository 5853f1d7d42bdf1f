/**
 * One chart in its card: a loading skeleton, then the chart (Vega-Lite as SVG, or a KPI, a
 * table or a markdown block drawn natively), or its query's error in place. Full screen opens
 * it in a dialog (Escape closes, focus returns); downloads give the rows as CSV and the drawn
 * chart as SVG or PNG.
 */
import { createEffect, createMemo, createResource, createSignal, For, Match, on, onCleanup, onMount, Show, Suspense, Switch } from "solid-js";
import type { View } from "vega";
import { Button, Dialog, Link } from "~/ui/components";
import { Slot } from "~/ui/Slot";
import type { Chart } from "../document/schema";
import type { QueryResult } from "./api";
import { downloadText, downloadUrl, formatCell, loadNumberFormats, numberFormatter, renderVega, toCsv, VEGA_TYPES } from "./charts";

export interface ChartCardProps {
  chart: Chart;
  /** The chart's query result; undefined while it runs for the first time. */
  result: QueryResult | undefined;
  /** A newer run is under way (the card keeps its content). */
  running?: boolean;
  /** Card chrome: full screen and downloads. */
  actions?: boolean;
  /** Which downloads the card offers (all when not given): a shared view's link or embed says. */
  downloads?: readonly ("csv" | "png" | "svg")[];
  height?: number;
  /** Where "Edit" leads (the chart builder), for members who may edit. */
  editHref?: string;
}

type Data = { columns: { name: string; type: string }[]; rows: Record<string, unknown>[] };

export function ChartCard(props: ChartCardProps) {
  const offers = (kind: "csv" | "png" | "svg") => !props.downloads || props.downloads.includes(kind);
  const [fullscreen, setFullscreen] = createSignal(false);
  const [view, setView] = createSignal<View | null>(null);
  const titleId = () => `chart-${props.chart.id}-title`;
  const title = () => props.chart.title ?? props.chart.id;
  const data = (): Data | null => (props.result?.ok ? { columns: props.result.columns, rows: props.result.rows } : null);
  const isVega = () => VEGA_TYPES.has(props.chart.type);
  const filename = () => props.chart.id;

  const downloadSvg = async () => {
    const v = view();
    if (v) downloadText(await v.toSVG(), `${filename()}.svg`, "image/svg+xml");
  };
  const downloadPng = async () => {
    const v = view();
    if (v) downloadUrl(await v.toImageURL("png", 2), `${filename()}.png`);
  };
  const downloadCsv = () => {
    const d = data();
    if (d) downloadText(toCsv(d.columns, d.rows), `${filename()}.csv`, "text/csv");
  };

  return (
    <article class="dash-card" aria-labelledby={titleId()} aria-busy={props.result === undefined || !!props.running} data-chart={props.chart.id}>
      <header class="dash-card__head">
        {/* Level 2: the cards sit right under the dashboard's title (h1). */}
        <h2 id={titleId()} class="dash-card__title">
          {props.chart.type === "text" && !props.chart.title ? <span class="visually-hidden">{props.chart.id}</span> : title()}
        </h2>
        <Show when={props.actions !== false}>
          <Suspense>
            <Slot name="chart.card.badges" props={{ chartId: props.chart.id }} />
          </Suspense>
        </Show>
        <Show when={props.actions !== false && props.chart.type !== "text"}>
          <div class="dash-card__actions">
            <Show when={props.editHref}>
              {(href) => (
                <Link href={href()} class="btn btn--ghost btn--compact" aria-label={`Edit chart: ${title()}`}>
                  Edit
                </Link>
              )}
            </Show>
            <Button class="btn--compact" variant="ghost" onClick={() => setFullscreen(true)} aria-label={`Full screen: ${title()}`}>
              Full screen
            </Button>
            <Show when={data() && offers("csv")}>
              <Button class="btn--compact" variant="ghost" onClick={downloadCsv} aria-label={`Download CSV: ${title()}`}>
                CSV
              </Button>
            </Show>
            <Show when={isVega() && view() && offers("svg")}>
              <Button class="btn--compact" variant="ghost" onClick={() => void downloadSvg()} aria-label={`Download SVG: ${title()}`}>
                SVG
              </Button>
            </Show>
            <Show when={isVega() && view() && offers("png")}>
              <Button class="btn--compact" variant="ghost" onClick={() => void downloadPng()} aria-label={`Download PNG: ${title()}`}>
                PNG
              </Button>
            </Show>
          </div>
        </Show>
      </header>
      <div class="dash-card__body">
        <ChartBody chart={props.chart} result={props.result} height={props.height} onView={setView} />
      </div>
      <Dialog open={fullscreen()} onClose={() => setFullscreen(false)} title={title()}>
        <div class="dash-wide dash-card__body">
          <ChartBody chart={props.chart} result={props.result} height={Math.round(window.innerHeight * 0.6)} />
        </div>
      </Dialog>
    </article>
  );
}

/** What the card's body shows for a chart and its result. */
export function ChartBody(props: { chart: Chart; result: QueryResult | undefined; height?: number; onView?: (view: View | null) => void }) {
  return (
    <Switch>
      <Match when={props.chart.type === "text"}>
        <Markdown text={(props.chart as { markdown: string }).markdown} />
      </Match>
      <Match when={props.result === undefined}>
        <div class="dash-skeleton" role="status" aria-label="Loading chart" />
      </Match>
      <Match when={props.result && !props.result.ok ? props.result : null}>
        {(failed) => (
          <div class="dash-error" role="alert">
            <strong>This chart’s query failed.</strong> {failed().error.message}
            {failed().error.line && !/\bline\b/.test(failed().error.message) ? ` (line ${failed().error.line})` : ""}
          </div>
        )}
      </Match>
      <Match when={props.result?.ok ? props.result : null}>
        {(ok) => (
          <Switch fallback={<VegaChart chart={props.chart} data={ok()} height={props.height} onView={props.onView} />}>
            <Match when={props.chart.type === "kpi"}>
              <Kpi chart={props.chart as Extract<Chart, { type: "kpi" }>} data={ok()} />
            </Match>
            <Match when={props.chart.type === "table"}>
              <ResultTable
                data={ok()}
                columns={(props.chart as Extract<Chart, { type: "table" }>).columns}
                formats={(props.chart as Extract<Chart, { type: "table" }>).format}
                caption={props.chart.title ?? props.chart.id}
              />
            </Match>
          </Switch>
        )}
      </Match>
    </Switch>
  );
}

function VegaChart(props: { chart: Chart; data: Data; height?: number; onView?: (view: View | null) => void }) {
  let host!: HTMLDivElement;
  const [error, setError] = createSignal<string | null>(null);
  const [drawing, setDrawing] = createSignal(true);
  let current: View | null = null;
  let generation = 0;
  const draw = async () => {
    const mine = ++generation;
    setDrawing(true);
    try {
      drawnFor = host.parentElement?.clientWidth ?? 400;
      const width = Math.max(200, drawnFor - 80);
      const fresh = document.createElement("div");
      const view = await renderVega(fresh, props.chart, props.data, { width, height: props.height });
      if (mine !== generation) {
        view.finalize();
        return;
      }
      current?.finalize();
      current = view;
      host.replaceChildren(fresh);
      setError(null);
      props.onView?.(view);
    } catch (err) {
      if (mine !== generation) return;
      setError(err instanceof Error ? err.message : String(err));
      props.onView?.(null);
    } finally {
      if (mine === generation) setDrawing(false);
    }
  };
  createEffect(on([() => props.chart, () => props.data, () => props.height], () => void draw()));
  // The card's width changes with the window and when the assistant column folds or opens:
  // draw again at the new width (once the resizing settles).
  let drawnFor = 0;
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  onMount(() => {
    const box = host.parentElement;
    if (!box || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (Math.abs(box.clientWidth - drawnFor) < 8) return;
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => void draw(), 120);
    });
    observer.observe(box);
    onCleanup(() => observer.disconnect());
  });
  onCleanup(() => {
    generation++;
    clearTimeout(resizeTimer);
    current?.finalize();
  });
  return (
    <>
      <Show when={drawing() && !current}>
        <div class="dash-skeleton" role="status" aria-label="Drawing chart" />
      </Show>
      <Show when={error()}>
        <div class="dash-error" role="alert">
          <strong>This chart could not be drawn.</strong> {error()}
        </div>
      </Show>
      <div ref={host} class="dash-vega" role="img" aria-label={props.chart.title ?? props.chart.id} />
    </>
  );
}

/** A cell formatter: the chart's d3-format when it names one (Vega loads for it), else the locale's. */
function useFormatter(spec: () => string | undefined) {
  const [formatter] = createResource(spec, (s) => numberFormatter(s));
  const format = createMemo(() => (spec() && formatter.latest ? formatter.latest : formatCell));
  return format;
}

function Kpi(props: { chart: Extract<Chart, { type: "kpi" }>; data: Data }) {
  const row = () => props.data.rows[0];
  const value = useFormatter(() => props.chart.format?.value);
  const compare = useFormatter(() => props.chart.format?.compare ?? props.chart.format?.value);
  return (
    <Show when={row()} fallback={<p class="muted">No rows.</p>}>
      {(r) => (
        <div>
          <p class="dash-kpi">{value()(r()[props.chart.value])}</p>
          <Show when={props.chart.compare}>
            {(column) => (
              <p class="dash-kpi__compare">
                {column()}: {compare()(r()[column()])}
              </p>
            )}
          </Show>
        </div>
      )}
    </Show>
  );
}

/** Rows as a table; `columns` picks and orders them. */
export function ResultTable(props: { data: Data; columns?: readonly string[]; formats?: Record<string, string>; caption: string; maxHeight?: string }) {
  const columns = () => (props.columns?.length ? props.columns : props.data.columns.map((c) => c.name));
  // Vega's number locale loads only when the table names formats.
  const [formats] = createResource(
    () => (props.formats && Object.keys(props.formats).length ? props.formats : false),
    () => loadNumberFormats(),
  );
  const cell = (column: string, value: unknown) => {
    const spec = props.formats?.[column];
    const load = formats.latest;
    return spec && load ? load(spec)(value) : formatCell(value);
  };
  return (
    <div class="table-wrap" style={{ "max-height": props.maxHeight ?? "24rem", overflow: "auto" }} tabindex="0" role="region" aria-label={`${props.caption}: rows`}>
      <table class="table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <For each={columns()}>{(c) => <th scope="col">{c}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={props.data.rows}>
            {(row) => (
              <tr>
                <For each={columns()}>{(c) => <td class="mono">{cell(c, row[c])}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

/** Markdown through micromark (loaded on first use), raw HTML and unsafe links left out. */
export function Markdown(props: { text: string }) {
  let host!: HTMLDivElement;
  createEffect(
    on(
      () => props.text,
      async (text) => {
        const [{ micromark }, { gfm, gfmHtml }] = await Promise.all([import("micromark"), import("micromark-extension-gfm")]);
        // allowDangerousHtml stays false: HTML in the markdown is shown as text, never run.
        host.innerHTML = micromark(text, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
      },
    ),
  );
  return <div ref={host} class="dash-markdown" />;
}
