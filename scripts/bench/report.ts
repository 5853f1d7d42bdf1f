/**
 * Results: the table printed at the end of a run, the ratio lines, and the JSON file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadResult, LoadSettings, RequestSpec } from "./load";

export interface MeasuredEndpoint {
  label: string;
  request: RequestSpec;
  warmup: LoadResult | null;
  result: LoadResult;
}

export interface Ratios {
  /** Atrium requests/s ÷ baseline requests/s (below 1: Atrium serves fewer). */
  throughput: number;
  /** Atrium p50 ÷ baseline p50 (above 1: Atrium is slower). */
  p50: number;
  /** Atrium p99 ÷ baseline p99. */
  p99: number;
}

export interface ScenarioResult {
  id: string;
  description: string;
  /** Every autocannon run of the scenario, in order (warm-ups first, then the rounds). */
  sequence: string[];
  target: MeasuredEndpoint;
  baseline: MeasuredEndpoint;
  ratios: Ratios;
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  settings: LoadSettings & { warmup: number; rounds: number; pipelining: 1; host: "127.0.0.1" };
  atrium: { database: "embedded" | "DATABASE_URL"; startupMs: number; nodeEnv: "production"; logLevel: "warn" };
  scenarios: ScenarioResult[];
  failures: string[];
  ok: boolean;
}

export function machineInfo(): BenchReport["machine"] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export function ratiosOf(target: LoadResult, baseline: LoadResult): Ratios {
  const div = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return {
    throughput: div(target.requestsPerSecond, baseline.requestsPerSecond),
    p50: div(target.latencyMs.p50, baseline.latencyMs.p50),
    p99: div(target.latencyMs.p99, baseline.latencyMs.p99),
  };
}

/** Problems that make the run fail: any connection error or non-2xx answer, warm-up included. */
export function failuresOf(endpoint: MeasuredEndpoint): string[] {
  const out: string[] = [];
  for (const [phase, r] of [["warm-up", endpoint.warmup], ["measured run", endpoint.result]] as const) {
    if (!r) continue;
    if (r.errors > 0) out.push(`${endpoint.label} (${phase}): ${r.errors} request errors (${r.timeouts} timeouts)`);
    if (r.non2xx > 0) {
      const codes = Object.entries(r.statusCodes)
        .filter(([code]) => !code.startsWith("2"))
        .map(([code, n]) => `${n}× ${code}`)
        .join(", ");
      out.push(`${endpoint.label} (${phase}): ${r.non2xx} non-2xx responses (${codes})`);
    }
    if (r.requests === 0) out.push(`${endpoint.label} (${phase}): no request completed`);
  }
  return out;
}

/** (max − min) ÷ median of the per-round requests/s: how much the figure moved during the run. */
export function roundSpread(r: LoadResult): number {
  const rounds = [...r.roundsRequestsPerSecond].sort((a, b) => a - b);
  if (rounds.length < 2) return 0;
  const median = rounds[Math.floor(rounds.length / 2)] ?? 0;
  return median > 0 ? ((rounds[rounds.length - 1] ?? 0) - (rounds[0] ?? 0)) / median : 0;
}

/** Above this round-to-round spread the run is flagged as noisy. */
export const NOISY_SPREAD = 0.25;

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => n.toFixed(2);
const times = (n: number, digits: number) => (Number.isFinite(n) ? `${n.toFixed(digits)}×` : "n/a");

export function ratioLine(s: ScenarioResult): string {
  const r = s.ratios;
  return `${s.target.label} vs ${s.baseline.label}: throughput ${times(r.throughput, 2)}, p50 ${times(r.p50, 1)}, p99 ${times(r.p99, 1)}`;
}

/** The results table and ratio lines, as printed at the end of a run. */
export function formatReport(report: BenchReport): string {
  const header = ["target", "req/s", "p50 ms", "p99 ms", "non-2xx", "errors"];
  const rows: (string[] | null)[] = [];
  report.scenarios.forEach((s, i) => {
    if (i > 0) rows.push(null);
    for (const e of [s.target, s.baseline]) {
      const r = e.result;
      rows.push([e.label, int(r.requestsPerSecond), ms(r.latencyMs.p50), ms(r.latencyMs.p99), String(r.non2xx), String(r.errors)]);
    }
  });
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((row) => row?.[col]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, col) => (col === 0 ? c.padEnd(widths[col] ?? 0) : c.padStart(widths[col] ?? 0))).join("   ");
  const rule = widths.map((w) => "-".repeat(w)).join("   ");

  const { settings: st, machine: m } = report;
  const out = [
    "",
    `Atrium benchmark, ${report.date}`,
    `Per target: ${st.warmup} s warm-up, then ${st.duration} s measured in ${st.rounds} alternating rounds; ${st.connections} connections, pipelining 1, ${st.host}`,
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; database: ${report.atrium.database === "embedded" ? "embedded PostgreSQL" : "DATABASE_URL"}`,
    "",
    line(header),
    rule,
    ...rows.map((row) => (row ? line(row) : "")),
    "",
    ...report.scenarios.map(ratioLine),
  ];
  const noisy = report.scenarios.flatMap((s) => [s.target, s.baseline]).filter((e) => roundSpread(e.result) > NOISY_SPREAD);
  if (noisy.length) {
    out.push(
      "",
      "Warning: requests/s moved a lot from round to round, so something else was using the CPU:",
      ...noisy.map((e) => `  ${e.label}: ${e.result.roundsRequestsPerSecond.map(int).join(", ")} req/s`),
      "Both sides took turns, so the ratios are fairer than the absolute figures; rerun on a quiet machine to publish.",
    );
  }
  if (report.failures.length) out.push("", "FAILED:", ...report.failures.map((f) => `  - ${f}`));
  return out.join("\n");
}

export function writeJson(file: string, report: BenchReport & Record<string, unknown>): string {
  const abs = path.resolve(file);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, `${JSON.stringify(report, null, 2)}\n`);
  return abs;
}
