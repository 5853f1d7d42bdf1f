/**
 * The sync plugin's limits, from the environment (validated at boot, naming a bad variable).
 * Tests and the bench replace them on a booted kernel with `configureSync`.
 */
import { z } from "zod";
import type { Kernel } from "~/kernel/kernel";

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max).default(fallback);

const envSchema = z.object({
  /** Largest request body (as sent, compressed or not). */
  SYNC_MAX_BATCH_BYTES: positiveInt(16 * 1024 * 1024, 1024 * 1024 * 1024),
  /** Largest body once a gzip body is inflated. */
  SYNC_MAX_INFLATED_BYTES: positiveInt(64 * 1024 * 1024, 4 * 1024 * 1024 * 1024),
  /** Rows one org may send per minute (all its tokens and machines together). */
  SYNC_ROWS_PER_MINUTE: positiveInt(1_000_000),
  /** Most rows in one batch. */
  SYNC_MAX_BATCH_ROWS: positiveInt(100_000, 10_000_000),
  /** Most columns a dataset may have. */
  SYNC_MAX_COLUMNS: positiveInt(400, 1_500),
  /** How long a batch sent with `Atrium-After` waits for the batch it names (milliseconds). */
  SYNC_AFTER_WAIT_MS: positiveInt(30_000, 600_000),
});

export interface SyncSettings {
  maxBatchBytes: number;
  maxInflatedBytes: number;
  rowsPerMinute: number;
  maxBatchRows: number;
  maxColumns: number;
  afterWaitMs: number;
}

export function loadSyncSettings(env: NodeJS.ProcessEnv = process.env): SyncSettings {
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? "environment")}: ${i.message}`);
    throw new Error(`Invalid sync plugin configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    maxBatchBytes: e.SYNC_MAX_BATCH_BYTES,
    maxInflatedBytes: e.SYNC_MAX_INFLATED_BYTES,
    rowsPerMinute: e.SYNC_ROWS_PER_MINUTE,
    maxBatchRows: e.SYNC_MAX_BATCH_ROWS,
    maxColumns: e.SYNC_MAX_COLUMNS,
    afterWaitMs: e.SYNC_AFTER_WAIT_MS,
  };
}

// Kept on the kernel object: the server bundles routes and boot apart (see src/kernel/auth/bearer.ts).
const SETTINGS = Symbol.for("atrium.sync.settings");
type WithSettings = Kernel & { [SETTINGS]?: SyncSettings };

export function syncSettings(kernel: Kernel): SyncSettings {
  const holder = kernel as WithSettings;
  return (holder[SETTINGS] ??= loadSyncSettings());
}

/** Replaces some limits on a booted kernel (tests, the bench). */
export function configureSync(kernel: Kernel, overrides: Partial<SyncSettings>): SyncSettings {
  const holder = kernel as WithSettings;
  return (holder[SETTINGS] = { ...syncSettings(kernel), ...overrides });
}
