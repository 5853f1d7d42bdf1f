/**
 * The authorization server's settings: `ATRIUM_AGENTS_READ_ONLY` (every agent of this server is
 * read-only, whatever it was granted) from the environment, validated at boot; how client
 * metadata documents are fetched is per kernel, and only tests loosen it (loopback hosts, their
 * own certificate authority) through `configureMcpOauth`.
 */
import { z } from "zod";
import type { Kernel } from "~/kernel/kernel";
import { DEFAULT_FETCH, type MetadataFetchOptions } from "./clients";

const envSchema = z.object({
  ATRIUM_AGENTS_READ_ONLY: z
    .enum(["true", "false", "1", "0"], { message: "must be true or false" })
    .default("false")
    .transform((v) => v === "true" || v === "1"),
});

export interface McpOauthSettings {
  /** Every agent is read-only on this server (a server flag, beside each org's setting). */
  agentsReadOnly: boolean;
  metadataFetch: MetadataFetchOptions;
}

/** Reads the plugin's variables; throws an Error naming every bad one. */
export function loadMcpOauthEnv(env: NodeJS.ProcessEnv = process.env): { agentsReadOnly: boolean } {
  const cleaned = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0] ?? "environment")}: ${i.message}`);
    throw new Error(`Invalid mcp-oauth plugin configuration:\n${lines.join("\n")}`);
  }
  return { agentsReadOnly: parsed.data.ATRIUM_AGENTS_READ_ONLY };
}

const overrides = new WeakMap<Kernel, Partial<McpOauthSettings>>();

/** The environment's answer, read once per process after init validated it (asked on every MCP call). */
let fromEnv: { agentsReadOnly: boolean } | undefined;

/** The merged settings per kernel (asked on every MCP call); dropped when a test overrides them. */
const merged = new WeakMap<Kernel, McpOauthSettings>();

/** The settings in force for this kernel. */
export function mcpOauthSettings(kernel: Kernel): McpOauthSettings {
  let settings = merged.get(kernel);
  if (!settings) {
    settings = Object.freeze({ ...(fromEnv ??= loadMcpOauthEnv()), metadataFetch: DEFAULT_FETCH, ...overrides.get(kernel) });
    merged.set(kernel, settings);
  }
  return settings;
}

/** Tests: loosen the metadata fetch (loopback, a test CA) or set the read-only flag for one kernel. */
export function configureMcpOauth(kernel: Kernel, settings: Partial<McpOauthSettings>): void {
  overrides.set(kernel, { ...overrides.get(kernel), ...settings });
  merged.delete(kernel);
}
