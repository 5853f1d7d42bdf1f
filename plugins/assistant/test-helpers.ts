/**
 * Test helpers: a person with a browser session in an org and project, a `fetch` that sends
 * requests straight into the chat endpoint's logic (with the session cookie and our Origin),
 * and scripted mock language models (the AI SDK's `MockLanguageModelV3`).
 */
import { randomUUID } from "node:crypto";
import type { AnyRouter } from "@trpc/server";
import type { LanguageModelV3CallOptions, LanguageModelV3Prompt, LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";
import type { Role } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { handleChatRequest, type ChatDependencies } from "./chat";
import type { AssistantConfig } from "./config";

export const TEST_LIMITS = { ratePerMinute: 1000, dailyTokens: 1_000_000, maxSteps: 5, toolResultBytes: 8_000 };

export const NOT_CONFIGURED: AssistantConfig = { configured: false, limits: TEST_LIMITS };

export interface Person {
  id: string;
  cookie: string;
}

let counter = 0;

/** A user with a session (cookie), optionally a member of `orgId` with `role`. */
export async function personWithSession(kernel: Kernel, name: string, membership?: { orgId: string; role: Role }): Promise<Person> {
  const user = await kernel.ownerDb
    .insertInto("users")
    .values({ email: `${name.toLowerCase().replace(/\W+/g, "-")}-${++counter}-${randomUUID().slice(0, 6)}@example.test`, name })
    .returning(["id"])
    .executeTakeFirstOrThrow();
  if (membership) await kernel.ownerDb.insertInto("memberships").values({ org_id: membership.orgId, user_id: user.id, role: membership.role }).execute();
  const token = generateSessionToken();
  await createSession(kernel.db, token, user.id);
  return { id: user.id, cookie: `${SESSION_COOKIE}=${token}` };
}

/** An org with a project, owned by a new person. */
export async function orgWithProject(kernel: Kernel) {
  const slug = `org-${randomUUID().slice(0, 8)}`;
  const org = await kernel.ownerDb.insertInto("orgs").values({ slug, name: `Acme ${slug}` }).returning(["id", "slug", "name"]).executeTakeFirstOrThrow();
  const project = await kernel.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "revenue", name: "Revenue" }).returning(["id", "slug", "name"]).executeTakeFirstOrThrow();
  const owner = await personWithSession(kernel, "Olivia Owner", { orgId: org.id, role: "owner" });
  return { org, project, owner };
}

/**
 * A fetch that hands requests to the chat endpoint's logic as `person` in a browser (session
 * cookie, same Origin). Records each request body.
 */
export function chatFetch(kernel: Kernel, deps: Omit<ChatDependencies, "kernel">, person: Person | null, options: { origin?: string | null } = {}) {
  const bodies: unknown[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    if (person) headers.set("cookie", person.cookie);
    const origin = options.origin === undefined ? kernel.config.publicUrl : options.origin;
    if (origin) headers.set("origin", origin);
    if (typeof init?.body === "string") bodies.push(JSON.parse(init.body));
    const url = new URL(String(input instanceof Request ? input.url : input), kernel.config.publicUrl);
    const request = new Request(url, { method: init?.method ?? "POST", headers, body: init?.body, signal: init?.signal });
    return handleChatRequest(request, { kernel, ...deps }, { requestId: randomUUID(), ip: "127.0.0.1" });
  };
  return { fetch: fetch as typeof globalThis.fetch, bodies };
}

/** POSTs one chat request body and returns the response. */
export async function postChat(kernel: Kernel, deps: Omit<ChatDependencies, "kernel">, person: Person | null, body: unknown, options: { origin?: string | null } = {}) {
  const { fetch } = chatFetch(kernel, deps, person, options);
  return fetch("/api/assistant/chat", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** A user message in the AI SDK's UI shape. */
export function userMessage(text: string, id = randomUUID()) {
  return { id, role: "user" as const, parts: [{ type: "text" as const, text }] };
}

/* ----------------------------------------------------------------------------------------
 * Scripted models
 * ------------------------------------------------------------------------------------- */

export type Step = { text?: string; toolCalls?: Array<{ name: string; input: unknown }>; usage?: { input: number; output: number } };

const usageOf = (u: { input: number; output: number } = { input: 50, output: 10 }) => ({
  inputTokens: { total: u.input, noCache: u.input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: u.output, text: u.output, reasoning: undefined },
});

/** The stream parts of one model step. */
export function stepParts(step: Step): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [{ type: "stream-start", warnings: [] }];
  if (step.text) {
    parts.push({ type: "text-start", id: "t1" });
    for (const word of step.text.match(/\S+\s*|\s+/g) ?? []) parts.push({ type: "text-delta", id: "t1", delta: word });
    parts.push({ type: "text-end", id: "t1" });
  }
  for (const call of step.toolCalls ?? []) {
    parts.push({ type: "tool-call", toolCallId: `call-${randomUUID().slice(0, 8)}`, toolName: call.name, input: JSON.stringify(call.input) });
  }
  parts.push({ type: "finish", finishReason: { unified: step.toolCalls?.length ? "tool-calls" : "stop", raw: undefined }, usage: usageOf(step.usage) });
  return parts;
}

/** The last message of a prompt when it is a tool result: the tool's name and its output. */
export function lastToolResult(prompt: LanguageModelV3Prompt): { toolName: string; output: { type: string; value?: unknown } } | null {
  const last = prompt[prompt.length - 1];
  if (!last || last.role !== "tool") return null;
  const part = last.content.find((p) => p.type === "tool-result");
  return part && part.type === "tool-result" ? { toolName: part.toolName, output: part.output as { type: string; value?: unknown } } : null;
}

export function systemOf(prompt: LanguageModelV3Prompt): string {
  return prompt
    .filter((m) => m.role === "system")
    .map((m) => (m as { content: string }).content)
    .join("\n");
}

/** A mock model that answers each call with `script(call options)`; calls are recorded. */
export function scriptedModel(script: (options: LanguageModelV3CallOptions, call: number) => Step | Promise<Step>, options: { chunkDelayInMs?: number } = {}) {
  let calls = 0;
  return new MockLanguageModelV3({
    provider: "test",
    modelId: "scripted",
    doStream: async (callOptions) => {
      const step = await script(callOptions, calls++);
      return { stream: simulateReadableStream({ chunks: stepParts(step), initialDelayInMs: null, chunkDelayInMs: options.chunkDelayInMs ?? null }) };
    },
  });
}

export type Deps = { router: AnyRouter; config: AssistantConfig; model?: ChatDependencies["model"] };
