/**
 * Prometheus metrics for `/metrics`: HTTP requests, tRPC procedures and jobs.
 * One registry per kernel, so tests and several kernels in one process never collide.
 * The three every request records are series metrics (./metric-series.ts): the same exposition,
 * without prom-client's per-sample hashing.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { SeriesCounter, SeriesHistogram } from "./metric-series";

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new SeriesCounter({
    name: "atrium_http_requests_total",
    help: "HTTP requests by method, route kind and status",
    labelNames: ["method", "route", "status"] as const,
    registry: this.registry,
  });

  readonly procedureCalls = new SeriesCounter({
    name: "atrium_procedure_calls_total",
    help: "tRPC procedure calls by path, type and result code",
    labelNames: ["path", "type", "code"] as const,
    registry: this.registry,
  });

  readonly procedureDuration = new SeriesHistogram({
    name: "atrium_procedure_duration_seconds",
    help: "tRPC procedure latency in seconds",
    labelNames: ["path", "type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registry: this.registry,
  });

  readonly jobRuns = new Counter({
    name: "atrium_job_runs_total",
    help: "Job runs by queue and outcome",
    labelNames: ["queue", "outcome"] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: "atrium_job_duration_seconds",
    help: "Job run time in seconds",
    labelNames: ["queue"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "atrium_" });
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
