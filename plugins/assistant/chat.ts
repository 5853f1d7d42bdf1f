/**
 * The chat endpoint's logic, framework-free (a `Request` in, a `Response` out), so tests drive
 * it directly; http.ts declares it as the plugin's `POST /api/assistant/chat`, served by the
 * kernel's dispatcher, and loads this module with the first conversation.
 *
 * One POST = one answer, streamed as the AI SDK's UI message stream over SSE:
 * 1. Origin check (a cookie-borne POST), a browser session (tokens use MCP instead).
 * 2. The body validated (422 with field errors); the org and project must be visible to the
 *    person (404) and the role must hold `assistant.use` (403).
 * 3. Configured? (503 NOT_CONFIGURED with how to configure it.) Per-person rate limit and daily
 *    token budget (429 with Retry-After).
 * 4. The thread: the person's own (404 otherwise) or a new one; the conversation is saved as
 *    sent before the model runs, and again when the answer ends (stopped answers included).
 * 5. `streamText` with the system prompt (what is open, no secrets), the person's tools, and
 *    `stopWhen: stepCountIs(maxSteps)`; usage is added to the day's budget.
 */
import type { AnyRouter } from "@trpc/server";
import {
  APICallError,
  RetryError,
  convertToModelMessages,
  stepCountIs,
  streamText,
  validateUIMessages,
  type LanguageModel,
  type LanguageModelUsage,
  type UIMessage,
} from "ai";
import { z } from "zod";
import { originProblem, resolveCaller } from "~/kernel/auth/request";
import type { Kernel } from "~/kernel/kernel";
import { hitRateLimit } from "~/kernel/rate-limit";
import { deriveKey } from "~/kernel/secret";
import { callTool, toolErrorOf } from "~/kernel/tools";
import { createCallerFactory, type Actor, type RequestContext } from "~/kernel/trpc";
import { fieldErrorsOf } from "~/kernel/errors";
import { CONFIGURE_HELP, type AssistantConfig } from "./config";
import { MAX_CHAT_BODY_BYTES } from "./http";
import { languageModelFor } from "./model";
import { systemPrompt, type Place, type PromptContext } from "./prompt";
import { redactText } from "./safety";
import { assistantDb, createThread, recordUsage, saveMessages, titleFrom, type StoredMessage, type ThreadSummary } from "./service";
import { assistantTools, ToolCallFailed, WRITE_TO_EDITOR } from "./tools";
import { safeString } from "~/kernel/schemas";

/** Metadata the server attaches to assistant messages. */
export interface AssistantMessageMetadata {
  threadId?: string;
  usage?: { inputTokens: number; outputTokens: number };
}

export type AssistantUIMessage = UIMessage<AssistantMessageMetadata>;

export interface ChatDependencies {
  kernel: Kernel;
  router: AnyRouter;
  config: AssistantConfig;
  /** A model to use instead of the configured one (tests). */
  model?: LanguageModel;
}

export interface ChatRequestMeta {
  requestId: string;
  ip: string | null;
  /** Aborted when the browser goes away (Stop); defaults to the request's own signal. */
  signal?: AbortSignal;
}

const MAX_MESSAGES = 200;

export const PLACES = ["org.home", "dashboard.view", "dashboard.edit", "chart.builder"] as const satisfies readonly Place[];

const bodySchema = z.object({
  orgId: z.uuid({ message: "orgId must be an organization id (UUID)" }),
  projectId: z.uuid({ message: "projectId must be a project id (UUID)" }).nullable().default(null),
  threadId: z.uuid({ message: "threadId must be a conversation id (UUID)" }).nullable().default(null),
  place: z.enum(PLACES, { message: `place must be one of: ${PLACES.join(", ")}` }),
  dashboardSlug: safeString().trim().min(1).max(100).nullable().default(null),
  chartId: safeString().trim().min(1).max(100).nullable().default(null),
  editor: z
    .object({
      language: z.enum(["yaml", "sql"]),
      label: safeString().trim().min(1).max(200),
      value: safeString().max(500_000, "The editor's text is too long for the assistant (500,000 characters at most)"),
    })
    .nullable()
    .default(null),
  messages: z.array(z.unknown()).min(1, "Send at least one message").max(MAX_MESSAGES, `At most ${MAX_MESSAGES} messages per conversation`),
});

export type ChatRequestBody = z.input<typeof bodySchema>;

function problem(status: number, code: string, message: string, extra: { fieldErrors?: Record<string, string[]>; headers?: Record<string, string> } = {}): Response {
  return Response.json(
    { error: { code, message, ...(extra.fieldErrors ? { fieldErrors: extra.fieldErrors } : {}) } },
    { status, headers: { "cache-control": "no-store", ...extra.headers } },
  );
}

/** What the person sees when an answer fails: a message to act on, never internals. */
export function chatErrorMessage(error: unknown): string {
  if (RetryError.isInstance(error)) return chatErrorMessage(error.lastError);
  if (error instanceof ToolCallFailed) return error.message;
  if (APICallError.isInstance(error)) {
    if (error.statusCode === 401 || error.statusCode === 403) return "The model server refused Atrium's credentials (check AI_API_KEY).";
    if (error.statusCode === 404) return "The model server does not know this model (check AI_MODEL).";
    if (error.statusCode === 429) return "The model server is rate limiting Atrium. Try again in a minute.";
    if (error.statusCode) return `The model server answered with an error (${error.statusCode}). Try again.`;
    return "Atrium could not reach the model server (check AI_BASE_URL). Try again.";
  }
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  if (cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND") return "Atrium could not reach the model server (check AI_BASE_URL). Try again.";
  return "The assistant ran into a problem answering. Try again.";
}

/** Text parts of the person's messages pass through `redactText` before the model sees them. */
function redactUserText(messages: AssistantUIMessage[]): AssistantUIMessage[] {
  return messages.map((m) =>
    m.role !== "user" ? m : { ...m, parts: m.parts.map((p) => (p.type === "text" ? { ...p, text: redactText(p.text) } : p)) },
  );
}

function firstUserText(messages: AssistantUIMessage[]): string {
  const first = messages.find((m) => m.role === "user");
  return first?.parts.map((p) => (p.type === "text" ? p.text : "")).join(" ") ?? "";
}

function stored(messages: AssistantUIMessage[]): StoredMessage[] {
  return messages.map((m) => ({ id: m.id, role: m.role, parts: m.parts, ...(m.metadata ? { metadata: m.metadata } : {}) }));
}

function addUsage(a: { inputTokens: number; outputTokens: number }, b: LanguageModelUsage | undefined) {
  return { inputTokens: a.inputTokens + (b?.inputTokens ?? 0), outputTokens: a.outputTokens + (b?.outputTokens ?? 0) };
}

/** Handles one chat POST. */
export async function handleChatRequest(request: Request, deps: ChatDependencies, meta: ChatRequestMeta): Promise<Response> {
  const { kernel, router, config } = deps;
  const signal = meta.signal ?? request.signal;
  if (request.method !== "POST") return problem(405, "METHOD_NOT_ALLOWED", "Send the conversation with POST.", { headers: { allow: "POST" } });
  const originError = originProblem(request, kernel.config.publicUrl);
  if (originError) return problem(403, "FORBIDDEN", originError);

  // Who is asking: a person in a browser session.
  let actor: Actor;
  let setCookie: string | null = null;
  try {
    ({ actor, setCookie } = await resolveCaller(kernel, request.headers));
  } catch {
    return problem(401, "UNAUTHORIZED", "Sign in to continue.");
  }
  if (actor.kind === "anonymous" || actor.kind === "system") return problem(401, "UNAUTHORIZED", "Sign in to continue.");
  if (actor.kind !== "user") return problem(403, "FORBIDDEN", "The assistant is used from a signed-in browser session; agents with a token use MCP.");
  const person = actor;
  const cookieHeaders: Record<string, string> = setCookie ? { "set-cookie": setCookie } : {};

  // The body.
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_CHAT_BODY_BYTES) return problem(413, "PAYLOAD_TOO_LARGE", "This conversation is too long to send. Start a new one.");
  const text = await request.text();
  if (new TextEncoder().encode(text).length > MAX_CHAT_BODY_BYTES) return problem(413, "PAYLOAD_TOO_LARGE", "This conversation is too long to send. Start a new one.");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return problem(400, "BAD_REQUEST", "The request body must be JSON.");
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    const [field, messages] = Object.entries(fieldErrors)[0]!;
    return problem(422, "UNPROCESSABLE_CONTENT", `Invalid input: ${field}: ${messages[0]}`, { fieldErrors });
  }
  const body = parsed.data;

  // What the person may see here, decided by the org guard as for any procedure: 404 for an
  // org, project or thread they cannot see, 403 without the capability or the sign-in policy.
  const personCtx: RequestContext = { kernel, actor: person, db: kernel.db, requestId: meta.requestId, ip: meta.ip, resHeaders: null, signal };
  type ChatContext = { org: { id: string; name: string }; role: string; project: { id: string; name: string } | null; personName: string | null; usedTokensToday: number; thread: ThreadSummary | null };
  let scope: ChatContext;
  try {
    const caller = createCallerFactory(router)(personCtx) as unknown as { assistant: { chatContext: (input: unknown) => Promise<ChatContext> } };
    scope = await caller.assistant.chatContext({ orgId: body.orgId, projectId: body.projectId, threadId: body.threadId });
  } catch (err) {
    const error = toolErrorOf(err);
    return problem(error.httpStatus, error.code, error.message, error.fieldErrors ? { fieldErrors: error.fieldErrors } : {});
  }

  if (!config.configured && !deps.model) return problem(503, "NOT_CONFIGURED", CONFIGURE_HELP);

  // Limits per person.
  const rate = await hitRateLimit(kernel.db, `assistant:${person.userId}`, config.limits.ratePerMinute * kernel.config.rateLimitScale, 60);
  if (!rate.allowed) {
    return problem(429, "TOO_MANY_REQUESTS", `You are asking faster than the assistant allows (${config.limits.ratePerMinute} a minute). Try again in ${rate.retryAfterSeconds} s.`, {
      headers: { "retry-after": String(rate.retryAfterSeconds) },
    });
  }
  if (scope.usedTokensToday >= config.limits.dailyTokens) {
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const seconds = Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
    return problem(429, "TOO_MANY_REQUESTS", `You have used today's assistant budget (${config.limits.dailyTokens.toLocaleString("en")} tokens). It renews at midnight UTC.`, {
      headers: { "retry-after": String(seconds) },
    });
  }

  // Tools, as the person.
  const { tools, descriptors } = await assistantTools({
    kernel,
    router,
    userId: person.userId,
    sessionId: person.sessionId ?? null,
    orgId: body.orgId,
    projectId: body.projectId,
    requestId: meta.requestId,
    ip: meta.ip,
    resultBudget: config.limits.toolResultBytes,
    editor: body.editor ? { language: body.editor.language, label: body.editor.label } : null,
    signal,
  });

  // The messages, validated against those tools.
  let messages: AssistantUIMessage[];
  try {
    messages = await validateUIMessages<AssistantUIMessage>({ messages: body.messages, tools: tools as never });
  } catch (err) {
    return problem(422, "UNPROCESSABLE_CONTENT", `Invalid input: messages: ${(err as Error).message.slice(0, 300)}`, { fieldErrors: { messages: ["Not a valid conversation"] } });
  }
  if (messages.some((m) => m.id.length > 100)) return problem(422, "UNPROCESSABLE_CONTENT", "Invalid input: messages: message ids are at most 100 characters", { fieldErrors: { messages: ["Message ids are at most 100 characters"] } });
  if (messages.some((m) => m.role === "system")) return problem(422, "UNPROCESSABLE_CONTENT", "Invalid input: messages: system messages come from the server", { fieldErrors: { messages: ["System messages come from the server"] } });

  // The thread, and the conversation as sent (the question is kept even if the answer fails).
  const db = (trx: Parameters<Parameters<Kernel["withScope"]>[1]>[0]) => assistantDb(trx);
  const thread =
    scope.thread ??
    (await kernel.withScope({ userId: person.userId, orgId: body.orgId }, (trx) =>
      createThread(db(trx), { orgId: body.orgId, userId: person.userId, projectId: body.projectId, title: titleFrom(firstUserText(messages)) }),
    ));
  await kernel.withScope({ userId: person.userId, orgId: body.orgId }, (trx) => saveMessages(db(trx), body.orgId, thread.id, stored(messages)));

  // What is open, for the prompt.
  let dashboard: PromptContext["dashboard"] = null;
  if (body.dashboardSlug && body.projectId) {
    dashboard = { slug: body.dashboardSlug, title: null, yaml: null };
    if (descriptors.some((t) => t.name === "get_dashboard")) {
      const got = await callTool(router, personCtx, "get_dashboard", { slug: body.dashboardSlug }, { available: descriptors, defaults: { orgId: body.orgId, projectId: body.projectId } });
      if (got.ok && got.data && typeof got.data === "object") {
        const d = got.data as { title?: unknown; yaml?: unknown };
        dashboard = { slug: body.dashboardSlug, title: typeof d.title === "string" ? d.title : null, yaml: typeof d.yaml === "string" ? d.yaml : null };
      }
    }
  }
  const system = systemPrompt({
    personName: scope.personName,
    org: { id: scope.org.id, name: scope.org.name, role: scope.role },
    project: scope.project,
    place: body.place,
    dashboard,
    chartId: body.chartId,
    editor: body.editor,
    toolNames: Object.keys(tools),
  });

  const modelMessages = await convertToModelMessages(redactUserText(messages), { tools, ignoreIncompleteToolCalls: true });
  const model = deps.model ?? languageModelFor(config as Extract<AssistantConfig, { configured: true }>);
  let usage = { inputTokens: 0, outputTokens: 0 };
  // A stopped step reports no usage (servers send it last): estimate it, about 4 characters a
  // token, so stopping early does not escape the daily budget.
  const promptChars = system.length + JSON.stringify(modelMessages).length;
  let stepChars = 0;
  let usageRecorded = false;
  // Recorded once, by whichever ends first: the model stream (finish or abort) or the response
  // stream. A stopped answer (the request's signal aborted) adds the estimate either way.
  const recordOnce = async () => {
    if (usageRecorded) return;
    usageRecorded = true;
    const total = signal?.aborted
      ? { inputTokens: usage.inputTokens + Math.ceil(promptChars / 4), outputTokens: usage.outputTokens + Math.ceil(stepChars / 4) }
      : usage;
    await kernel
      .withScope({ userId: person.userId, orgId: body.orgId }, (trx) => recordUsage(db(trx), body.orgId, person.userId, total))
      .catch((err: unknown) => kernel.log.error({ err }, "assistant: could not record usage"));
  };

  const result = streamText({
    model,
    system,
    messages: modelMessages,
    tools,
    stopWhen: stepCountIs(config.limits.maxSteps),
    // One retry: a person is waiting, and the panel offers Retry.
    maxRetries: 1,
    abortSignal: signal,
    experimental_toolApprovalSecret: deriveKey(kernel.secret, "assistant:tool-approval"),
    onChunk: ({ chunk }) => {
      if (chunk.type === "text-delta") stepChars += chunk.text.length;
    },
    onStepFinish: (step) => {
      usage = addUsage(usage, step.usage);
      stepChars = 0;
    },
    onFinish: () => recordOnce(),
    onAbort: () => recordOnce(),
    onError: ({ error }) => {
      if (!(error instanceof ToolCallFailed)) kernel.log.warn({ err: error, requestId: meta.requestId }, "assistant: the answer failed");
    },
  });

  return result.toUIMessageStreamResponse<AssistantUIMessage>({
    headers: { "cache-control": "no-store", ...cookieHeaders },
    originalMessages: messages,
    generateMessageId: () => crypto.randomUUID(),
    messageMetadata: ({ part }) => {
      if (part.type === "start") return { threadId: thread.id };
      if (part.type === "finish") return { threadId: thread.id, usage: { inputTokens: part.totalUsage.inputTokens ?? 0, outputTokens: part.totalUsage.outputTokens ?? 0 } };
      return undefined;
    },
    onError: chatErrorMessage,
    onFinish: async ({ messages: all }) => {
      await recordOnce();
      await kernel
        .withScope({ userId: person.userId, orgId: body.orgId }, (trx) => saveMessages(db(trx), body.orgId, thread.id, stored(all)))
        .catch((err: unknown) => kernel.log.error({ err, threadId: thread.id }, "assistant: could not save the conversation"));
    },
  });
}

export { WRITE_TO_EDITOR };
