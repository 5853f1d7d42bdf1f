import { Counter, Histogram, Registry, type OpenMetricsContentType, type PrometheusContentType } from "prom-client";
import { describe, expect, test } from "vitest";
import { SeriesCounter, SeriesHistogram } from "./metric-series";

const buckets = [0.001, 0.005, 0.01, 0.1, 1];
const samples: Array<[string, string, number]> = [
  ["kernel.info", "query", 0.0004],
  ["kernel.info", "query", 0.001], // on a bound: counted in it
  ["projects.list", "query", 0.03],
  ["kernel.info", "query", 7], // above every bound: only +Inf
  ['odd "path"\\\n', "mutation", 0.002], // escaped in the text
];

function both(openMetrics = false) {
  const registry = (): Registry<PrometheusContentType> | Registry<OpenMetricsContentType> => {
    if (!openMetrics) return new Registry();
    const r = new Registry<OpenMetricsContentType>();
    r.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    return r;
  };
  const ours = registry();
  const theirs = registry();
  const c1 = new SeriesCounter({ name: "t_calls_total", help: "calls", labelNames: ["path", "type"] as const, registry: ours });
  const h1 = new SeriesHistogram({ name: "t_seconds", help: "time", labelNames: ["path", "type"] as const, buckets, registry: ours });
  const c2 = new Counter({ name: "t_calls_total", help: "calls", labelNames: ["path", "type"] as const, registers: [theirs] });
  const h2 = new Histogram({ name: "t_seconds", help: "time", labelNames: ["path", "type"] as const, buckets, registers: [theirs] });
  for (const [path, type, seconds] of samples) {
    c1.inc({ path, type });
    c2.inc({ path, type });
    h1.observe({ path, type }, seconds);
    h2.observe({ path, type }, seconds);
  }
  c1.inc({ path: "bulk", type: "query" }, 5);
  c2.inc({ path: "bulk", type: "query" }, 5);
  return { ours, theirs, c1 };
}

describe("series metrics", () => {
  test("render exactly what prom-client renders for the same samples", async () => {
    const { ours, theirs } = both();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('t_seconds_bucket{le="0.001",path="kernel.info",type="query"} 2');
  });

  test("render the same OpenMetrics text and JSON", async () => {
    const open = both(true);
    expect(await open.ours.metrics()).toContain("# EOF");
    expect(await open.ours.metrics()).toBe(await open.theirs.metrics());
    const { ours, theirs } = both();
    // prom-client's samples carry an empty exemplar slot; ours have none.
    const withoutEmptyExemplars = (metrics: unknown) => JSON.parse(JSON.stringify(metrics, (key, value) => (key === "exemplar" && value == null ? undefined : value)));
    expect(withoutEmptyExemplars(await ours.getMetricsAsJSON())).toEqual(withoutEmptyExemplars(await theirs.getMetricsAsJSON()));
  });

  test("count per series, refuse what a counter cannot do, and start over on reset", () => {
    const { c1 } = both();
    expect(c1.valueOf({ path: "kernel.info", type: "query" })).toBe(3);
    expect(c1.valueOf({ path: "bulk", type: "query" })).toBe(5);
    expect(c1.valueOf({ path: "nothing", type: "query" })).toBe(0);
    expect(() => c1.inc({ path: "x", type: "query" }, -1)).toThrow(/only goes up/);
    expect(() => c1.inc({ path: "x", type: "query" }, Number.NaN)).toThrow(/only goes up/);
    c1.reset();
    expect(c1.valueOf({ path: "kernel.info", type: "query" })).toBe(0);
  });

  test("a histogram refuses what is not a number and bounds that are not", () => {
    const registry = new Registry();
    const h = new SeriesHistogram({ name: "h", help: "h", labelNames: ["a"] as const, buckets: [1, 2], registry });
    expect(() => h.observe({ a: "x" }, Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => new SeriesHistogram({ name: "h2", help: "h", labelNames: ["a"] as const, buckets: [1, 1], registry })).toThrow(/distinct/);
    expect(() => new SeriesCounter({ name: "h", help: "again", labelNames: ["a"] as const, registry })).toThrow(/already been registered/);
  });
});
