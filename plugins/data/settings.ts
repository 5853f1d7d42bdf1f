/**
 * The data plugin's environment, validated with zod when the plugin starts (a bad value stops
 * the boot naming the variable). Tests and the bench pass overrides instead of touching env.
 */
import { z } from "zod";
import type { HostResolver } from "./host-guard";

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Cluster for the per-org warehouse databases; a user with CREATEDB and CREATEROLE. Default: the app's cluster. */
  WAREHOUSE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL")
    .optional(),
  QUERY_TIMEOUT_MS: positiveInt(15_000, 3_600_000),
  QUERY_LOCK_TIMEOUT_MS: positiveInt(2_000, 600_000),
  QUERY_MAX_ROWS: positiveInt(10_000, 1_000_000),
  QUERY_MAX_BYTES: positiveInt(10_000_000, 512_000_000),
  QUERY_CONCURRENCY: positiveInt(4, 100),
  QUERY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  QUERY_CACHE_MAX_BYTES: z.coerce.number().int().min(0).default(64_000_000),
  CSV_MAX_BYTES: positiveInt(10_000_000, 1_000_000_000),
  /** External sources on loopback/private addresses: allowed outside production unless set. */
  DATA_PRIVATE_HOSTS: z.enum(["allow", "deny"]).optional(),
});

export interface DataSettings {
  warehouseUrl: string | undefined;
  queryTimeoutMs: number;
  lockTimeoutMs: number;
  maxRows: number;
  maxBytes: number;
  concurrency: number;
  cacheTtlMs: number;
  cacheMaxBytes: number;
  csvMaxBytes: number;
  allowPrivateHosts: boolean;
  /** How external source host names are resolved (the system resolver unless a test injects one). */
  resolveHost?: HostResolver;
}

/** Reads the data plugin's variables; throws an Error naming every bad one. */
export function loadDataSettings(env: NodeJS.ProcessEnv = process.env): DataSettings {
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? "environment")}: ${i.message}`);
    throw new Error(`Invalid data plugin configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    warehouseUrl: e.WAREHOUSE_URL,
    queryTimeoutMs: e.QUERY_TIMEOUT_MS,
    lockTimeoutMs: e.QUERY_LOCK_TIMEOUT_MS,
    maxRows: e.QUERY_MAX_ROWS,
    maxBytes: e.QUERY_MAX_BYTES,
    concurrency: e.QUERY_CONCURRENCY,
    cacheTtlMs: e.QUERY_CACHE_TTL_MS,
    cacheMaxBytes: e.QUERY_CACHE_MAX_BYTES,
    csvMaxBytes: e.CSV_MAX_BYTES,
    allowPrivateHosts: e.DATA_PRIVATE_HOSTS ? e.DATA_PRIVATE_HOSTS === "allow" : e.NODE_ENV !== "production",
  };
}
