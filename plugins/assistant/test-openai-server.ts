/**
 * A small HTTP server that speaks the OpenAI chat-completions API (streamed and not), for
 * tests: the real provider code (`@ai-sdk/openai-compatible`) talks to it over loopback, and a
 * test scripts what the "model" answers — text in chunks, tool calls, errors, slow streams.
 *
 *   const server = await startTestOpenAiServer((req) => req.lastToolResult ? { text: "Done." } : { toolCalls: [{ name: "describe_tables", arguments: {} }] });
 *   AI_BASE_URL = server.baseUrl  // http://127.0.0.1:<port>/v1
 *
 * Every request is recorded (body and headers) for assertions.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ChatCompletionMessage {
  role: "system" | "user" | "assistant" | "tool";
  content?: string | null | Array<{ type: string; text?: string }>;
  tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatCompletionMessage[];
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters?: unknown } }>;
  stream?: boolean;
  [key: string]: unknown;
}

/** A request as the responder sees it, with shortcuts. */
export interface ScriptedRequest {
  body: ChatCompletionRequest;
  headers: http.IncomingHttpHeaders;
  /** The system prompt's text. */
  system: string;
  /** The text of the last user message. */
  lastUserText: string;
  /** The last message when it is a tool result: its tool name (from the matching call) and parsed content. */
  lastToolResult: { name: string; content: unknown; raw: string } | null;
  /** Names of the tools offered. */
  toolNames: string[];
  /** How the answer ended: sent in full, or the client (the app) closed the connection first. */
  outcome: "pending" | "completed" | "closed";
}

export interface ScriptedReply {
  /** Text, streamed in the given chunks (a string is split into words). */
  text?: string | string[];
  toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>;
  /** Answer with this HTTP status and an OpenAI-style error body instead. */
  status?: number;
  errorMessage?: string;
  /** Milliseconds between streamed chunks (default 0). */
  chunkDelayMs?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** End the stream abruptly after this many chunks (a dropped connection). */
  dropAfterChunks?: number;
}

export type Responder = (request: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface TestOpenAiServer {
  /** `http://127.0.0.1:<port>/v1`: what AI_BASE_URL should be. */
  readonly baseUrl: string;
  readonly requests: ScriptedRequest[];
  /** Replaces the responder (a test may script each step). */
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

function textOf(content: ChatCompletionMessage["content"]): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => p.text ?? "").join("");
  return "";
}

function describe(body: ChatCompletionRequest, headers: http.IncomingHttpHeaders): ScriptedRequest {
  const messages = body.messages ?? [];
  const system = messages.filter((m) => m.role === "system").map((m) => textOf(m.content)).join("\n");
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const last = messages[messages.length - 1];
  let lastToolResult: ScriptedRequest["lastToolResult"] = null;
  if (last?.role === "tool") {
    const call = messages.flatMap((m) => m.tool_calls ?? []).find((c) => c.id === last.tool_call_id);
    const raw = textOf(last.content);
    let content: unknown = raw;
    try {
      content = JSON.parse(raw);
    } catch {
      // plain text result
    }
    lastToolResult = { name: call?.function.name ?? "", content, raw };
  }
  return {
    body,
    headers,
    system,
    lastUserText: textOf(lastUser?.content),
    lastToolResult,
    toolNames: (body.tools ?? []).map((t) => t.function.name),
    outcome: "pending",
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function streamReply(res: http.ServerResponse, model: string, reply: ScriptedReply, closed: () => boolean): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  let sent = 0;
  const send = async (payload: unknown): Promise<boolean> => {
    if (closed()) return false;
    if (reply.dropAfterChunks !== undefined && sent >= reply.dropAfterChunks) {
      res.destroy();
      return false;
    }
    res.write(`data: ${JSON.stringify(payload)}\n\n`);
    sent++;
    if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    return true;
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  if (!(await send(chunk({ role: "assistant", content: "" })))) return;
  const pieces = typeof reply.text === "string" ? reply.text.match(/\S+\s*|\s+/g) ?? [] : (reply.text ?? []);
  for (const piece of pieces) if (!(await send(chunk({ content: piece })))) return;
  const calls = reply.toolCalls ?? [];
  for (const [index, call] of calls.entries()) {
    const args = JSON.stringify(call.arguments ?? {});
    const callId = call.id ?? `call_${Math.random().toString(36).slice(2, 10)}`;
    if (!(await send(chunk({ tool_calls: [{ index, id: callId, type: "function", function: { name: call.name, arguments: "" } }] })))) return;
    // Arguments arrive in two pieces, as real servers stream them.
    const half = Math.ceil(args.length / 2);
    for (const part of [args.slice(0, half), args.slice(half)]) {
      if (part && !(await send(chunk({ tool_calls: [{ index, function: { arguments: part } }] })))) return;
    }
  }
  if (!(await send(chunk({}, calls.length ? "tool_calls" : "stop")))) return;
  const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
  if (!(await send({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }))) return;
  res.end("data: [DONE]\n\n");
}

function jsonReply(res: http.ServerResponse, model: string, reply: ScriptedReply) {
  const text = typeof reply.text === "string" ? reply.text : (reply.text ?? []).join("");
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) } }));
  const usage = reply.usage ?? { prompt_tokens: 100, completion_tokens: 20 };
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: "chatcmpl-json",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content: text || null, ...(calls.length ? { tool_calls: calls } : {}) }, finish_reason: calls.length ? "tool_calls" : "stop" }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    }),
  );
}

/** Starts the server on a free loopback port. */
export async function startTestOpenAiServer(responder: Responder = () => ({ text: "Hello from the test model." })): Promise<TestOpenAiServer> {
  let respond = responder;
  const requests: ScriptedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (raw += chunk));
    req.on("end", () => {
      void (async () => {
        if (req.method === "GET" && req.url === "/v1/models") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ object: "list", data: [{ id: "test-model", object: "model" }] }));
          return;
        }
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
          res.writeHead(404, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: `No route ${req.method} ${req.url}`, type: "invalid_request_error" } }));
          return;
        }
        let body: ChatCompletionRequest;
        try {
          body = JSON.parse(raw) as ChatCompletionRequest;
        } catch {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: "Body is not JSON", type: "invalid_request_error" } }));
          return;
        }
        const request = describe(body, req.headers);
        requests.push(request);
        let reply: ScriptedReply;
        try {
          reply = await respond(request);
        } catch (err) {
          reply = { status: 500, errorMessage: (err as Error).message };
        }
        if (reply.status && reply.status >= 400) {
          res.writeHead(reply.status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: reply.errorMessage ?? "Scripted failure", type: "server_error", code: null } }));
          return;
        }
        let closed = false;
        res.on("close", () => {
          closed = true;
          if (request.outcome === "pending") request.outcome = res.writableFinished ? "completed" : "closed";
        });
        if (body.stream) await streamReply(res, body.model, reply, () => closed);
        else jsonReply(res, body.model, reply);
      })();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    respondWith(next) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
