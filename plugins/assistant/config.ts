/**
 * The assistant's model and limits, from the environment (validated with zod):
 *
 * - `AI_BASE_URL`, `AI_MODEL`, `AI_API_KEY` (optional): any OpenAI-compatible chat-completions
 *   server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp …).
 * - `AI_PROVIDER` (optional): `openai-compatible` (the default) or `gateway` (the AI SDK's
 *   gateway, which reaches the other providers the SDK supports: `AI_MODEL=anthropic/claude-…`,
 *   key in `AI_API_KEY`).
 * - Limits per person: `AI_RATE_LIMIT` requests a minute (20), `AI_DAILY_TOKENS` a day
 *   (200 000), `AI_MAX_STEPS` model steps per answer (8), `AI_TOOL_RESULT_BYTES` of JSON per
 *   tool result shown to the model (8 000).
 *
 * Nothing set: the assistant is "not configured" and says how to configure it. Something set
 * but wrong: the boot stops naming the variable.
 */
import { z } from "zod";

export const AI_PROVIDERS = ["openai-compatible", "gateway"] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

export interface AssistantLimits {
  /** Chat requests per person per minute. */
  ratePerMinute: number;
  /** Input + output tokens per person per org per UTC day. */
  dailyTokens: number;
  /** Model steps (tool round trips) per answer. */
  maxSteps: number;
  /** Bytes of JSON per tool result the model sees (and the panel shows). */
  toolResultBytes: number;
}

export type AssistantConfig =
  | { configured: false; limits: AssistantLimits }
  | {
      configured: true;
      provider: AiProvider;
      baseUrl: string | null;
      model: string;
      /** Never logged, never sent anywhere but the provider. */
      apiKey: string | null;
      limits: AssistantLimits;
    };

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  AI_PROVIDER: z.enum(AI_PROVIDERS, { message: `must be one of: ${AI_PROVIDERS.join(", ")}` }).default("openai-compatible"),
  AI_BASE_URL: z.url({ protocol: /^https?$/, message: "must be the server's http(s) URL, e.g. http://localhost:11434/v1" }).optional(),
  AI_MODEL: z.string().trim().min(1).max(200).optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_RATE_LIMIT: int(1, 10_000, 20),
  AI_DAILY_TOKENS: int(1_000, 1_000_000_000, 200_000),
  AI_MAX_STEPS: int(1, 50, 8),
  AI_TOOL_RESULT_BYTES: int(500, 1_000_000, 8_000),
});

/** Thrown when an AI_* variable is set but wrong; the message names it. */
export class AssistantConfigError extends Error {
  override name = "AssistantConfigError";
}

/** Reads the AI_* variables. Blank values count as unset. */
export function assistantConfigFromEnv(env: Record<string, string | undefined> = process.env): AssistantConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith("AI_") && v !== undefined && v.trim() !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${String(issue.path[0] ?? "AI_*")}: ${issue.message}`);
    throw new AssistantConfigError(`The assistant is misconfigured:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const limits: AssistantLimits = {
    ratePerMinute: e.AI_RATE_LIMIT,
    dailyTokens: e.AI_DAILY_TOKENS,
    maxSteps: e.AI_MAX_STEPS,
    toolResultBytes: e.AI_TOOL_RESULT_BYTES,
  };
  const anySet = e.AI_BASE_URL || e.AI_MODEL || e.AI_API_KEY || cleaned.AI_PROVIDER;
  if (!anySet) return { configured: false, limits };
  const problems: string[] = [];
  if (!e.AI_MODEL) problems.push("  AI_MODEL: is required (the model name the server knows, e.g. llama3.1 or gpt-4o-mini)");
  if (e.AI_PROVIDER === "openai-compatible" && !e.AI_BASE_URL) {
    problems.push("  AI_BASE_URL: is required for an OpenAI-compatible server (e.g. https://api.openai.com/v1 or http://localhost:11434/v1)");
  }
  if (e.AI_PROVIDER === "gateway" && !e.AI_API_KEY) problems.push("  AI_API_KEY: is required for the gateway provider");
  if (problems.length) throw new AssistantConfigError(`The assistant is misconfigured:\n${problems.join("\n")}`);
  return {
    configured: true,
    provider: e.AI_PROVIDER,
    baseUrl: e.AI_BASE_URL ? e.AI_BASE_URL.replace(/\/$/, "") : null,
    model: e.AI_MODEL!,
    apiKey: e.AI_API_KEY ?? null,
    limits,
  };
}

let cached: AssistantConfig | null = null;

/** The process's configuration, read once. */
export function assistantConfig(): AssistantConfig {
  cached ??= assistantConfigFromEnv();
  return cached;
}

/** What the panel shows a person when the assistant is not configured. */
export const CONFIGURE_HELP =
  "The assistant needs a language model. An administrator sets AI_BASE_URL (any OpenAI-compatible server: OpenAI, Ollama, vLLM, LM Studio), AI_MODEL and, if the server needs one, AI_API_KEY, then restarts Atrium.";
