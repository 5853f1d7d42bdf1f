/**
 * Environment configuration, validated with zod at boot.
 *
 * Every variable Atrium reads is declared here (and listed in the README). A bad value stops
 * the app with a message naming the variable, never a half-configured start.
 */
import { z } from "zod";
import path from "node:path";

const boolish = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_PREPARED_STATEMENTS: boolish.default(true),
  ATRIUM_DATA_DIR: z.string().min(1).default(".data"),
  ATRIUM_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ATRIUM_WEB_JOBS: boolish.default(true),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
  MAIL_FROM: z.string().min(3).default("Atrium <no-reply@atrium.local>"),
  ATRIUM_TRUST_PROXY: boolish.default(false),
  ATRIUM_RATE_LIMIT_SCALE: z.coerce.number().int().min(1).max(100_000).default(1),
  ATRIUM_MAX_BODY_BYTES_ANONYMOUS: z.coerce.number().int().min(1024).max(1_000_000_000).default(64 * 1024),
  ATRIUM_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1_000_000_000).default(16 * 1024 * 1024),
  ATRIUM_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(25),
  ATRIUM_EXPENSIVE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
});

export type AtriumConfig = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  /** Statements with parameters are prepared once per connection (off behind a transaction-mode pooler that does not keep them). */
  databasePreparedStatements: boolean;
  dataDir: string;
  secret: string | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  webJobs: boolean;
  metricsToken: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Trust X-Forwarded-For for the client address (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** Multiplies every rate limit (benchmarks and load tests only; 1 in production). */
  rateLimitScale: number;
  /**
   * Request body limits in bytes, enforced while the body streams in, before it is parsed:
   * callers without credentials get the small one (sign-in forms), signed-in callers the large
   * one (a CSV upload of up to 10 MB travels through tRPC). Plugin HTTP routes may declare their own.
   */
  maxBodyBytes: { anonymous: number; signedIn: number };
  /** Calls in one tRPC batch request. */
  maxBatch: number;
  /** Expensive procedures (`meta.cost: "expensive"`) running at once per org, per instance. */
  expensiveConcurrency: number;
};

/** Thrown when the environment is invalid; the message names every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment. Blank values count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AtriumConfig {
  const cleaned: Record<string, string> = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  // The server listens on NITRO_PORT when set (Nitro reads it before PORT); so must our URLs.
  if (cleaned.NITRO_PORT) cleaned.PORT = cleaned.NITRO_PORT;
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    dataDir: path.resolve(e.ATRIUM_DATA_DIR),
    secret: e.ATRIUM_SECRET,
    logLevel: e.LOG_LEVEL,
    webJobs: e.ATRIUM_WEB_JOBS,
    metricsToken: e.METRICS_TOKEN,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    trustProxy: e.ATRIUM_TRUST_PROXY,
    rateLimitScale: e.ATRIUM_RATE_LIMIT_SCALE,
    maxBodyBytes: { anonymous: e.ATRIUM_MAX_BODY_BYTES_ANONYMOUS, signedIn: e.ATRIUM_MAX_BODY_BYTES },
    maxBatch: e.ATRIUM_MAX_BATCH,
    expensiveConcurrency: e.ATRIUM_EXPENSIVE_CONCURRENCY,
  };
}
