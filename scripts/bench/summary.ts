/**
 * Median and spread of several `npm run bench -- --json <file>` runs, figure by figure, beside
 * the goals (docs/benchmarks.md): one run on a shared machine moves too much to publish.
 *
 *   for i in 1 2 3; do npm run bench -- --json bench-$i.json; done
 *   npx tsx scripts/bench/summary.ts bench-1.json bench-2.json bench-3.json
 */
import { readFileSync } from "node:fs";
import type { Footprint, GoalRow } from "./goals";
import type { LcpReport } from "./lcp";
import type { BenchReport } from "./report";
import type { ScaleBenchResult } from "./scale";

type Run = BenchReport & { footprint?: Footprint; lcp?: LcpReport | null; goals?: GoalRow[]; scale?: ScaleBenchResult | null };

const files = process.argv.slice(2);
if (!files.length) {
  console.error("Usage: npx tsx scripts/bench/summary.ts <bench.json>...");
  process.exit(2);
}
const runs = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as Run);

/** "median (min–max)" of the values present. */
function spread(values: Array<number | null | undefined>, format: (n: number) => string): string {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  if (!known.length) return "not measured";
  const median = known.length % 2 ? known[(known.length - 1) / 2]! : (known[known.length / 2 - 1]! + known[known.length / 2]!) / 2;
  return known.length === 1 ? format(median) : `${format(median)} (${format(known[0]!)}–${format(known[known.length - 1]!)})`;
}
const x = (n: number) => `${n.toFixed(2)}×`;
const ms = (n: number) => `${Math.round(n)} ms`;

const goals: Record<string, string> = {
  "trpc-kernel-info": "≥ 0.40×",
  "trpc-standalone": "≥ 1.00×",
  "org-scoped-token-list": "≥ 0.35×",
  "mcp-get-dashboard": "≥ 0.85×, p50 ≤ 1.20×",
  "password-sign-in": "≥ 0.80×",
};

console.log(`Median (min–max) of ${runs.length} runs: ${runs.map((r) => r.date).join(", ")}`);
const ids = [...new Set(runs.flatMap((r) => r.scenarios.map((s) => s.id)))];
for (const id of ids) {
  const of = runs.map((r) => r.scenarios.find((s) => s.id === id));
  const label = of.find(Boolean)!;
  console.log(
    `  ${`${label.target.label} vs ${label.baseline.label}`.padEnd(78)} throughput ${spread(of.map((s) => s?.ratios.throughput), x)}, p50 ${spread(of.map((s) => s?.ratios.p50), x)}` +
      (goals[id] ? `   goal ${goals[id]}` : ""),
  );
}
console.log(`  ${"idle RSS, one instance".padEnd(78)} ${spread(runs.map((r) => r.footprint?.idleRssMiB), (n) => `${Math.round(n)} MiB`)}   goal ≤ 250 MB`);
console.log(`  ${"  the same, 1 s after the load (not yet given back)".padEnd(78)} ${spread(runs.map((r) => r.footprint?.afterLoadRssMiB), (n) => `${Math.round(n)} MiB`)}`);
console.log(`  ${"start to healthy, existing cluster".padEnd(78)} ${spread(runs.map((r) => r.footprint?.restartMs), ms)}   goal ≤ 3 s`);
const pages = [...new Set(runs.flatMap((r) => r.lcp?.pages.map((p) => p.page) ?? []))];
for (const page of pages) {
  const of = runs.map((r) => r.lcp?.pages.find((p) => p.page === page));
  console.log(`  ${`LCP ${page}, cold / warm`.padEnd(78)} ${spread(of.map((p) => p?.cold.median), ms)} / ${spread(of.map((p) => p?.warm.median), ms)}   goal ≤ 1.0 s`);
}
const calls = [...new Set(runs.flatMap((r) => r.scale?.rows.map((row) => row.call) ?? []))];
for (const call of calls) {
  const of = runs.map((r) => r.scale?.rows.find((row) => row.call === call));
  console.log(`  ${`p50 100 vs 100,000 dashboards: ${call}`.padEnd(78)} ${spread(of.map((row) => row?.ratio), x)}   goal ≤ 1.20×`);
}
