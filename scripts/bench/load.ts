/**
 * Load generation with autocannon's programmatic API.
 *
 * autocannon's own latency histogram keeps whole milliseconds, too coarse for responses that
 * take well under a millisecond. So every response time (autocannon measures it with
 * `process.hrtime`) is also collected here and the percentiles are computed exactly from them,
 * which also lets the rounds of one target (see index.ts) be merged without loss.
 */
import autocannon from "autocannon";

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, e.g. `/api/trpc/kernel.info`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Bodies to send in turn instead of `body`, each connection going round them (say, a
   * sign-in for each of several people). `body` stays the one sent when a single request is.
   */
  bodies?: readonly string[];
}

export interface LoadSettings {
  /** Seconds. */
  duration: number;
  connections: number;
}

/** One autocannon run, before summarising (rounds of the same target are merged). */
export interface RawRun {
  /** Completed requests (any status). */
  requests: number;
  /** Seconds the run took, as autocannon measured it. */
  durationS: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Every response time, in milliseconds. */
  latencies: Float64Array;
}

export interface LoadResult {
  /** Completed requests (any status). */
  requests: number;
  /** Seconds of load, summed over rounds. */
  durationS: number;
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Requests/s of each round, in order: how steady the figure was. */
  roundsRequestsPerSecond: number[];
}

let active: autocannon.Instance | undefined;

/** Stops the run in progress, if any (Ctrl-C). */
export function stopActiveLoad(): void {
  active?.stop();
}

/** Runs autocannon against `baseUrl` + `request` for `settings.duration` seconds. */
export function runLoad(baseUrl: string, request: RequestSpec, settings: LoadSettings): Promise<RawRun> {
  let samples = new Float64Array(1 << 16);
  let count = 0;
  return new Promise<RawRun>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl + request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        ...(request.bodies?.length
          ? { requests: request.bodies.map((body) => ({ method: request.method, path: request.path, headers: request.headers, body })) }
          : {}),
        connections: settings.connections,
        duration: settings.duration,
        pipelining: 1,
        timeout: 10,
        // autocannon checks for the end of the run on each sample tick (default 1 s).
        sampleInt: 100,
      },
      (err: unknown, result: autocannon.Result) => {
        active = undefined;
        if (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        const statusCodes: Record<string, number> = {};
        for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
        resolve({
          requests: result.requests.total,
          durationS: result.duration,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          latencies: samples.subarray(0, count),
        });
      },
    );
    active = instance;
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      if (count === samples.length) {
        const grown = new Float64Array(samples.length * 2);
        grown.set(samples);
        samples = grown;
      }
      samples[count++] = responseTime;
    });
  });
}

/** Merges the rounds of one target into one result; latency percentiles over every response. */
export function summarise(runs: RawRun[]): LoadResult {
  const total = runs.reduce((n, r) => n + r.latencies.length, 0);
  const sorted = new Float64Array(total);
  let offset = 0;
  for (const r of runs) {
    sorted.set(r.latencies, offset);
    offset += r.latencies.length;
  }
  sorted.sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const durationS = runs.reduce((n, r) => n + r.durationS, 0);
  return {
    requests,
    durationS: Math.round(durationS * 100) / 100,
    requestsPerSecond: durationS > 0 ? requests / durationS : 0,
    latencyMs: {
      mean: total ? sum / total : 0,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: total ? (sorted[total - 1] ?? 0) : 0,
    },
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    timeouts: runs.reduce((n, r) => n + r.timeouts, 0),
    statusCodes,
    roundsRequestsPerSecond: runs.map((r) => (r.durationS > 0 ? Math.round(r.requests / r.durationS) : 0)),
  };
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}
