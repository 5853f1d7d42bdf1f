/**
 * MCP over Streamable HTTP at `/mcp`, framework-free: `handleMcpHttp(request, env)` → `Response`.
 *
 * Stateless: nothing survives between requests. The common request (one JSON-RPC request) is
 * answered by one long-lived server through ./direct-transport.ts, the caller travelling with the
 * message; anything else gets a new server and the SDK's HTTP transport. In order:
 *   1. Origin: a browser request from an origin other than PUBLIC_URL's (or MCP_ALLOWED_ORIGINS)
 *      is refused with 403 (DNS rebinding); clients that are not browsers send no Origin.
 *   2. Bearer personal access token: missing or bad → 401 with
 *      `WWW-Authenticate: Bearer resource_metadata="<PUBLIC_URL>/.well-known/oauth-protected-resource/mcp"`.
 *   3. Rate limit per token (MCP_RATE_LIMIT per minute), then per org, every agent of the org
 *      together (MCP_ORG_RATE_LIMIT) → 429 with Retry-After, the message naming which limit.
 *   4. POST only (GET/DELETE: 405, there is no session or server-initiated stream).
 *   5. A body over MCP_MAX_BODY_BYTES → 413; not JSON → 400; a batch of several requests → 400
 *      (one rate-limited HTTP request must not run a hundred tools).
 */
import type { AnyRouter } from "@trpc/server";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { agentAuthorizationServer, verifyAgentBearer } from "~/kernel/auth/bearer";
import type { HeaderReader } from "~/kernel/auth/request";
import type { HttpContext, HttpRoute, PlainRequest, PlainResponse } from "~/kernel/http/routes";
import { toolsOf } from "~/kernel/tools";
import type { Kernel } from "~/kernel/kernel";
import { LeasedRateLimiter } from "~/kernel/rate-limit";
import type { TokenActor } from "./context";
import { directRequest, directServer } from "./direct-transport";
import { answerToolCall, authInfoOf, createMcpServer, type McpCall } from "./server";
import { loadAgentSettings, type AgentSettings } from "./settings";

export interface McpHttpEnv {
  kernel: Kernel;
  router: AnyRouter;
  settings: AgentSettings;
  requestId: string;
  ip: string | null;
  /** Aborted when the client goes away; defaults to the request's own signal. */
  signal?: AbortSignal;
}

/** The header an MCP client may send to name itself in the audit log (see docs/agents.md). */
export const CLIENT_HEADER = "x-mcp-client";

export const MCP_PATH = "/mcp";
export const RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource/mcp";

/** RFC 9728 protected resource metadata for `/mcp` (naming the authorization server, when one is installed). */
export function protectedResourceMetadata(publicUrl: string, authorizationServer: string | null = null) {
  return Object.assign(
    { resource: `${publicUrl}${MCP_PATH}` },
    authorizationServer ? { authorization_servers: [authorizationServer] } : {},
    { resource_name: "Atrium", bearer_methods_supported: ["header"], scopes_supported: ["read", "write"], resource_documentation: `${publicUrl}/account#agents` },
  );
}

/** The metadata document as an HTTP response (GET, open to anyone, cacheable). */
export function protectedResourceMetadataResponse(publicUrl: string, authorizationServer: string | null = null): Response {
  return new Response(JSON.stringify(protectedResourceMetadata(publicUrl, authorizationServer)), {
    headers: {
      "content-type": "application/json",
      "cache-control": "public, max-age=3600",
      "access-control-allow-origin": "*",
    },
  });
}

const CORS_ALLOW_HEADERS = ["authorization", "content-type", "accept", "mcp-protocol-version", "mcp-session-id", "last-event-id", CLIENT_HEADER].join(", ");
const CORS_EXPOSE_HEADERS = ["www-authenticate", "mcp-session-id", "retry-after"].join(", ");

function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): PlainResponse {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }),
  };
}

function responseOf(answer: PlainResponse): Response {
  return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers as Record<string, string> });
}

/** Printable ASCII only, at most 100 characters: a label for the audit log, not an identity. */
export function clientNameOf(headers: HeaderReader): string {
  return cleanLabel(headers.get(CLIENT_HEADER)) || cleanLabel(headers.get("user-agent")) || "MCP client";
}

/** A label already clean (the usual header) is taken as it is. */
const CLEAN_LABEL = /^[\x21-\x7e](?:[\x20-\x7e]{0,98}[\x21-\x7e])?$/;

function cleanLabel(value: string | null): string {
  if (value === null) return "";
  if (CLEAN_LABEL.test(value)) return value;
  return value
    .replace(/[^\x20-\x7e]/g, "")
    .trim()
    .slice(0, 100);
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  if (!Object.keys(headers).length) return response;
  const merged = new Headers(response.headers);
  for (const [k, v] of Object.entries(headers)) merged.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
}

/** The body as text, reading no more than `maxBytes` (a declared larger length is refused unread). */
async function readBody(request: Request, maxBytes: number): Promise<string | "too large"> {
  if (Number(request.headers.get("content-length")) > maxBytes) return "too large";
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        void reader.cancel().catch(() => {});
        return "too large";
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text + decoder.decode();
}

/** The request as the steps below need it: from a web `Request` or from a body the server has read. */
interface McpInput {
  method: string;
  headers: HeaderReader;
  /** The body as text (a declared or read length over `maxBytes` is "too large"). */
  text(maxBytes: number): Promise<string | "too large">;
  /** A body already parsed and found to be one plain request (the fast path's own check). */
  direct?: { message: unknown; request: JSONRPCRequest };
}

/** What the SDK's own transport must answer (anything but the plain case). */
interface ViaSdk {
  message: unknown;
  authInfo: ReturnType<typeof authInfoOf>;
  cors: Record<string, string>;
}

export async function handleMcpHttp(request: Request, env: McpHttpEnv): Promise<Response> {
  const answer = await answerMcp({ method: request.method, headers: request.headers, text: (max) => readBody(request, max) }, Object.assign({}, env, { signal: env.signal ?? request.signal }));
  if (!("sdk" in answer)) return responseOf(answer);
  const { message, authInfo, cors } = answer.sdk;
  try {
    const server = createMcpServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody: message, authInfo });
      return withHeaders(response, cors);
    } finally {
      void server.close().catch(() => {});
    }
  } catch (err) {
    env.kernel.log.error({ err, requestId: env.requestId }, "MCP request failed");
    return responseOf(jsonRpcError(500, -32603, "Something went wrong on our side. It has been logged.", cors));
  }
}

/**
 * The plain case with no web objects (the route's `fast` handler): one JSON-RPC request, JSON
 * accepted. Anything else → null before any step runs, and the request goes to `handleMcpHttp`.
 */
export async function handleMcpPlain(request: PlainRequest, env: McpHttpEnv): Promise<PlainResponse | null> {
  if (request.method.toUpperCase() !== "POST" || request.body.byteLength > env.settings.maxBodyBytes) return null;
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString("utf8"));
  } catch {
    return null;
  }
  const direct = directRequest(request.headers, message);
  if (!direct) return null;
  const answer = await answerMcp({ method: "POST", headers: request.headers, text: async () => "", direct: { message, request: direct } }, env);
  return "sdk" in answer ? null : answer;
}

async function answerMcp(request: McpInput, env: McpHttpEnv): Promise<PlainResponse | { sdk: ViaSdk }> {
  const { kernel, settings } = env;
  const publicUrl = kernel.config.publicUrl;

  // 1. Origin (DNS rebinding): browsers send it; only our own origin and configured ones pass.
  const origin = request.headers.get("origin");
  let cors: Record<string, string> = {};
  if (origin !== null) {
    const allowed = origin === new URL(publicUrl).origin || settings.allowedOrigins.includes(origin);
    if (!allowed) return jsonRpcError(403, -32000, `Origin ${origin} is not allowed to call this MCP server.`);
    cors = { "access-control-allow-origin": origin, "access-control-expose-headers": CORS_EXPOSE_HEADERS, vary: "Origin" };
  }
  if (request.method === "OPTIONS") {
    return {
      status: 204,
      headers: Object.assign({}, cors, { "access-control-allow-methods": "POST, OPTIONS", "access-control-allow-headers": CORS_ALLOW_HEADERS, "access-control-max-age": "600" }),
      body: "",
    };
  }

  // 2. Bearer token. Never a cookie: an agent acts only through a token its person made.
  const resourceMetadata = `${publicUrl}${RESOURCE_METADATA_PATH}`;
  const authorization = request.headers.get("authorization");
  if (authorization === null) {
    return jsonRpcError(401, -32001, "Authorization required: send a personal access token as `Authorization: Bearer atr_…`.", Object.assign({}, cors, {
      "www-authenticate": `Bearer resource_metadata="${resourceMetadata}"`,
    }));
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  // A personal access token, or one a plugin's verifier claims (OAuth), checked for this resource.
  const check = match
    ? await verifyAgentBearer(kernel, match[1]!, { resource: `${publicUrl}${MCP_PATH}` })
    : ({ ok: false, status: 401, reason: "The access token is malformed", error: "invalid_token" } as const);
  if (!check.ok) {
    return jsonRpcError(check.status, -32001, `${check.reason}.`, Object.assign({}, cors, {
      "www-authenticate": `Bearer error="${check.error}", error_description="${check.reason}", resource_metadata="${resourceMetadata}"`,
    }));
  }
  const token = check.bearer;

  // 3. Rate limit per token, shared by every instance (hits reserved in blocks: one upsert per
  // block, not per call).
  const limit = await rateLimiter.hit(kernel.db, `mcp:token:${token.tokenId}`, settings.rateLimitPerMinute * kernel.config.rateLimitScale, 60);
  if (!limit.allowed) {
    return jsonRpcError(429, -32000, `Too many requests for this token; try again in ${limit.retryAfterSeconds} s.`, Object.assign({}, cors, {
      "retry-after": String(limit.retryAfterSeconds),
    }));
  }
  const orgLimit = await rateLimiter.hit(kernel.db, `mcp:org:${token.orgId}`, settings.orgRateLimitPerMinute * kernel.config.rateLimitScale, 60);
  if (!orgLimit.allowed) {
    return jsonRpcError(429, -32000, `Too many requests from this organization's agents together (its limit is ${settings.orgRateLimitPerMinute} a minute); try again in ${orgLimit.retryAfterSeconds} s.`, Object.assign({}, cors, {
      "retry-after": String(orgLimit.retryAfterSeconds),
    }));
  }

  // 4. Stateless: POST only.
  if (request.method !== "POST") {
    return jsonRpcError(405, -32000, "Method not allowed: this MCP server is stateless; send JSON-RPC messages with POST.", Object.assign({}, cors, { allow: "POST, OPTIONS" }));
  }

  const actor: TokenActor = {
    kind: "token",
    userId: token.userId,
    tokenId: token.tokenId,
    orgId: token.orgId,
    scopes: token.scopes,
    projectIds: token.projectIds,
    agent: { client: clientNameOf(request.headers) },
  };
  const call: McpCall = {
    request: {
      kernel,
      router: env.router,
      actor,
      requestId: env.requestId,
      ip: env.ip,
      userAgent: request.headers.get("user-agent"),
      signal: env.signal,
    },
  };
  // 5. The body: bounded, JSON, and one request per HTTP request (a batch would let one
  // rate-limited request run up to a hundred tools).
  let message: unknown;
  if (request.direct) {
    message = request.direct.message;
  } else {
    const body = await request.text(settings.maxBodyBytes);
    if (body === "too large") return jsonRpcError(413, -32000, `Request body too large: at most ${settings.maxBodyBytes} bytes.`, cors);
    try {
      message = JSON.parse(body);
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the body is not JSON.", cors);
    }
  }
  if (Array.isArray(message) && message.filter((m) => m && typeof m === "object" && "method" in m && "id" in m).length > 1) {
    return jsonRpcError(400, -32600, "Invalid request: send one JSON-RPC request per HTTP request (batches are not supported).", cors);
  }
  // An OAuth grant without "write" calling a tool that writes: 403 insufficient_scope naming the
  // scope, so the client can ask its person for more (step-up). Personal tokens cannot step up.
  const missing = token.kind === "oauth" ? missingScopeFor(env.router, message, token.scopes) : null;
  if (missing) {
    return jsonRpcError(403, -32001, `This grant lacks the "${missing}" scope; ask the person to approve it.`, Object.assign({}, cors, {
      "www-authenticate": `Bearer error="insufficient_scope", scope="${missing}", error_description="The tool needs the ${missing} scope", resource_metadata="${resourceMetadata}"`,
    }));
  }

  const direct = request.direct?.request ?? directRequest(request.headers, message);
  if (!direct) return { sdk: { message, authInfo: authInfoOf(call), cors } };
  try {
    // A tool call goes straight to its handler; everything else through the shared server.
    const answer = (await answerToolCall(direct, call)) ?? JSON.stringify(await (await sharedServer()).dispatch(direct, authInfoOf(call)));
    return { status: 200, headers: { "content-type": "application/json", ...cors }, body: answer };
  } catch (err) {
    kernel.log.error({ err, requestId: env.requestId }, "MCP request failed");
    return jsonRpcError(500, -32603, "Something went wrong on our side. It has been logged.", cors);
  }
}

/** The process's one server for direct requests. */
const sharedServer = directServer(createMcpServer);

/** The scope a `tools/call` message needs that `scopes` lack ("write" for a tool that writes), or null. */
function missingScopeFor(router: AnyRouter, message: unknown, scopes: readonly string[]): "write" | null {
  const one = Array.isArray(message) ? message[0] : message;
  if (!one || typeof one !== "object" || (one as { method?: unknown }).method !== "tools/call") return null;
  const name = (one as { params?: { name?: unknown } }).params?.name;
  const tool = toolsOf(router).find((candidate) => candidate.name === name);
  if (!tool || (tool.readOnly && tool.type === "query")) return null;
  return scopes.includes("write") ? null : "write";
}

const rateLimiter = new LeasedRateLimiter();

let settings: AgentSettings | undefined;
/** The agent plugin's settings, read once (init has already validated them). */
function agentSettings(): AgentSettings {
  return (settings ??= loadAgentSettings());
}

function mcpEnvOf(ctx: HttpContext): McpHttpEnv {
  return { kernel: ctx.kernel, router: ctx.router, settings: agentSettings(), requestId: ctx.requestId, ip: ctx.ip, signal: ctx.signal };
}

/** The agent plugin's HTTP routes: `/mcp` and its protected-resource metadata (RFC 9728). */
export const agentHttpRoutes: readonly HttpRoute[] = [
  {
    method: ["GET", "POST", "DELETE", "OPTIONS"],
    path: MCP_PATH,
    // MCP_MAX_BODY_BYTES: an `import_csv` call carries a whole CSV file.
    maxBodyBytes: () => agentSettings().maxBodyBytes,
    handle: (request, ctx) => handleMcpHttp(request, mcpEnvOf(ctx)),
    fast: (request, ctx) => handleMcpPlain(request, mcpEnvOf(ctx)),
  },
  {
    method: "GET",
    path: RESOURCE_METADATA_PATH,
    handle: (_request, ctx) => protectedResourceMetadataResponse(ctx.kernel.config.publicUrl, agentAuthorizationServer(ctx.kernel)),
  },
];
