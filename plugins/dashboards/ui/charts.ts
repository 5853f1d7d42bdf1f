/**
 * Chart rendering helpers. Vega, Vega-Lite and the document module's `chartToVegaLite` load on
 * first use (dynamic `import()`), so none of them is in a page's initial JavaScript.
 */
import type * as VegaModule from "vega";
import type * as VegaLiteModule from "vega-lite";
import type * as DocumentModule from "../document";
import type * as InterpreterModule from "vega-interpreter";
import type { View } from "vega";
import type { Chart } from "../document/schema";
import { onFirstUse } from "~/ui/format";
import type { ColumnInfo } from "./api";

export const VEGA_TYPES = new Set(["bar", "line", "area", "scatter", "pie", "histogram", "heatmap", "spark_bar"]);

let loading: Promise<{
  vega: typeof VegaModule;
  vl: typeof VegaLiteModule;
  document: typeof DocumentModule;
  interpreter: typeof InterpreterModule.expressionInterpreter;
}> | null = null;

/** Loads vega, vega-lite and the spec builder once. */
export function loadVega() {
  loading ??= Promise.all([import("vega"), import("vega-lite"), import("../document"), import("vega-interpreter")]).then(([vega, vl, document, interpreter]) => ({
    vega,
    vl,
    document,
    interpreter: interpreter.expressionInterpreter,
  }));
  // A failed load (offline) may be retried.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

export function currentTheme(): "light" | "dark" {
  if (typeof document === "undefined") return "light";
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Resolves in a later task (`scheduler.yield` where the browser has it). */
function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Renders a chart as SVG into `container`; returns the view (for downloads) once drawn. */
export async function renderVega(
  container: HTMLElement,
  chart: Chart,
  data: { columns: ColumnInfo[]; rows: Record<string, unknown>[] },
  options: { width: number; height?: number },
): Promise<View> {
  const { vega, vl, document, interpreter } = await loadVega();
  // Every chart of a page waits for the same load: each draws in a task of its own, so the
  // browser paints and answers input between them instead of after all of them.
  await nextTask();
  const spec = document.chartToVegaLite(chart, data, { width: options.width, height: options.height, theme: currentTheme() });
  if (!spec) throw new Error(`A ${chart.type} chart is not drawn with Vega-Lite.`);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  // Expressions are interpreted, not compiled with `new Function`: the pages' Content-Security-Policy
  // has no 'unsafe-eval' (docs/decisions/018-plugin-http-routes-and-boundaries.md).
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "svg", container, hover: true, expr: interpreter });
  await view.runAsync();
  return view;
}

/* Downloads */

function download(href: string, filename: string) {
  const a = document.createElement("a");
  a.href = href;
  a.download = filename;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "object" ? JSON.stringify(value) : String(value);
  // Text a spreadsheet would run as a formula gets a leading apostrophe (numbers stay numbers).
  const formula = typeof value === "string" && /^[=+\-@\t\r]/.test(text) && !Number.isFinite(Number(text));
  if (formula) text = `'${text}`;
  return formula || /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows as CSV (RFC 4180; text a spreadsheet would run as a formula is defused with a leading '). */
export function toCsv(columns: readonly ColumnInfo[], rows: readonly Record<string, unknown>[]): string {
  const lines = [columns.map((c) => csvCell(c.name)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c.name])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function downloadText(text: string, filename: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  download(url, filename);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadUrl(url: string, filename: string) {
  download(url, filename);
}

/**
 * d3-format specifiers as functions, through Vega's number locale (so Vega loads only for a KPI
 * or table that names a format). An invalid specifier falls back to the plain format.
 */
export async function loadNumberFormats(): Promise<(spec: string) => (value: unknown) => string> {
  const vega = (await import("vega")) as unknown as { defaultLocale(): { format(spec: string): (n: number) => string } };
  const locale = vega.defaultLocale();
  const cache = new Map<string, (value: unknown) => string>();
  return (spec) => {
    let formatter = cache.get(spec);
    if (!formatter) {
      let format: ((n: number) => string) | null = null;
      try {
        format = locale.format(spec);
      } catch {
        format = null;
      }
      formatter = (value) => {
        const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
        return format && Number.isFinite(n) ? format(n) : formatCell(value);
      };
      cache.set(spec, formatter);
    }
    return formatter;
  };
}

export async function numberFormatter(spec: string): Promise<(value: unknown) => string> {
  return (await loadNumberFormats())(spec);
}

/* Numbers for kpi and table cells without a format: the browser's locale. */
const numberFormat = onFirstUse(() => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }));

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return numberFormat().format(value);
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) && value.length < 16) return numberFormat().format(Number(value));
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
