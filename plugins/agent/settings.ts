/**
 * The agent plugin's environment, validated with zod when the plugin starts (a bad value stops
 * the boot naming the variable). Tests pass overrides instead of touching the environment.
 */
import { z } from "zod";

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max).default(fallback);

const envSchema = z.object({
  /** MCP requests per token per minute (multiplied by ATRIUM_RATE_LIMIT_SCALE). */
  MCP_RATE_LIMIT: positiveInt(300, 1_000_000),
  /** MCP requests per org per minute, every agent of the org together (× ATRIUM_RATE_LIMIT_SCALE). */
  MCP_ORG_RATE_LIMIT: positiveInt(1200, 10_000_000),
  /** Largest MCP request body in bytes (a CSV import through `import_csv` is the big one). */
  MCP_MAX_BODY_BYTES: positiveInt(12_000_000, 100_000_000),
  /** Extra browser origins allowed to call /mcp (comma-separated), besides PUBLIC_URL's. */
  MCP_ALLOWED_ORIGINS: z
    .string()
    .transform((value) => value.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)))
    .default([]),
});

export interface AgentSettings {
  rateLimitPerMinute: number;
  /** Every agent of one org together, per minute. */
  orgRateLimitPerMinute: number;
  maxBodyBytes: number;
  allowedOrigins: string[];
}

/** Reads the agent plugin's variables; throws an Error naming every bad one. */
export function loadAgentSettings(env: NodeJS.ProcessEnv = process.env): AgentSettings {
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? "environment")}: ${i.message}`);
    throw new Error(`Invalid agent plugin configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return { rateLimitPerMinute: e.MCP_RATE_LIMIT, orgRateLimitPerMinute: e.MCP_ORG_RATE_LIMIT, maxBodyBytes: e.MCP_MAX_BODY_BYTES, allowedOrigins: e.MCP_ALLOWED_ORIGINS };
}
