/**
 * Per-kernel state of the data plugin: settings, connection pools to the sources, the result
 * cache and the per-org count of running queries. Kept beside the kernel (a WeakMap), created on
 * first use, so several kernels in one process (tests) never share any of it.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import type { Kernel } from "~/kernel/kernel";
import { loadDataSettings, type DataSettings } from "./settings";

/** A small LRU cache of query results with a TTL and a byte budget. */
export class ResultCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number; expires: number; at: number }>();
  private bytes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): { value: V; at: number } | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.delete(key);
      return null;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { value: entry.value, at: entry.at };
  }

  set(key: string, value: V, bytes: number): void {
    if (this.ttlMs <= 0 || bytes > this.maxBytes) return;
    this.delete(key);
    const now = Date.now();
    this.entries.set(key, { value, bytes, expires: now + this.ttlMs, at: now });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /** Drops every entry whose key starts with `prefix` (an org, or one source). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface DataRuntime {
  settings: DataSettings;
  pools: Map<string, pg.Pool>;
  cache: ResultCache<unknown>;
  /** Queries running now, per org (this instance). */
  running: Map<string, number>;
  /** Runs in flight by cache key: a caller asking the same while one runs shares its answer. */
  inflight: Map<string, Promise<unknown>>;
  /** Bumped when an org's warehouse data changes, so cached results of it are not served. */
  warehouseGeneration: Map<string, number>;
}

const runtimes = new WeakMap<Kernel, DataRuntime>();

function createRuntime(settings: DataSettings): DataRuntime {
  return {
    settings,
    pools: new Map(),
    cache: new ResultCache(settings.cacheTtlMs, settings.cacheMaxBytes),
    running: new Map(),
    inflight: new Map(),
    warehouseGeneration: new Map(),
  };
}

/** The data plugin's state for `kernel`, created from the environment on first use. */
export function dataRuntime(kernel: Kernel): DataRuntime {
  let runtime = runtimes.get(kernel);
  if (!runtime) runtimes.set(kernel, (runtime = createRuntime(loadDataSettings())));
  return runtime;
}

/** Replaces the settings for `kernel` (tests, the bench); drops pools and cache. */
export async function configureDataRuntime(kernel: Kernel, overrides: Partial<DataSettings>): Promise<DataRuntime> {
  const current = dataRuntime(kernel);
  await closeDataRuntime(kernel);
  const runtime = createRuntime({ ...current.settings, ...overrides });
  runtimes.set(kernel, runtime);
  return runtime;
}

/** Closes every pool the data plugin opened for `kernel`. */
export async function closeDataRuntime(kernel: Kernel): Promise<void> {
  const runtime = runtimes.get(kernel);
  if (!runtime) return;
  const pools = [...runtime.pools.values()];
  runtime.pools.clear();
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
}

/** A stable, non-reversible tag for a secret, to key pools without holding it in the key. */
export function fingerprint(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 16);
}

/** The pool for `key`, opened with `config` on first use. */
export function poolFor(kernel: Kernel, key: string, config: () => pg.PoolConfig): pg.Pool {
  const runtime = dataRuntime(kernel);
  let pool = runtime.pools.get(key);
  if (!pool) {
    pool = new pg.Pool({
      max: runtime.settings.concurrency,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      application_name: "atrium-query",
      ...config(),
    });
    // An idle connection losing its server (restart, a dropped database) must not crash us.
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", () => {}));
    runtime.pools.set(key, pool);
  }
  return pool;
}

/** Closes and forgets the pools whose key starts with `prefix`. */
export async function closePools(kernel: Kernel, prefix: string): Promise<void> {
  const runtime = dataRuntime(kernel);
  const closing: Promise<void>[] = [];
  for (const [key, pool] of runtime.pools) {
    if (!key.startsWith(prefix)) continue;
    runtime.pools.delete(key);
    closing.push(pool.end().catch(() => {}));
  }
  await Promise.all(closing);
}
