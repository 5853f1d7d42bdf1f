/**
 * The API path: `/api/trpc`, `/api/health` and every plugin HTTP route (`/mcp`, webhooks, …),
 * served on node's request and response directly, ahead of SolidStart's page handler. Pages and
 * assets never come here. In the production build a Nitro plugin (./api-nitro.ts) puts this in
 * front of the whole h3 app; under `vinxi dev` the request middleware calls it first. Either
 * way one function serves API traffic (docs/decisions/025-lean-api-path.md).
 *
 * Every guarantee of the page path holds here, done once per request:
 *   - a request id (the caller's sane `x-request-id`, else a UUID), echoed as `x-request-id`;
 *   - the security headers (a CSP allowing no inline script, no framing, nosniff…); a plugin
 *     route's own header wins;
 *   - one access log line and the HTTP request counter when the response has finished;
 *   - the client's address (X-Forwarded-For only when trusted) and a signal that fires when the
 *     client goes away before the answer is complete;
 *   - on /api/trpc: the Origin check for cookie-borne mutations (403), the batch cap
 *     (413 BATCH_TOO_LARGE), the body limit while the body streams in (413, then a lingering
 *     close: src/server/request.ts), the small limit again when a presented credential turns
 *     out to be worthless; single calls through ./trpc-fast.ts, the rest (batches, SSE
 *     subscriptions, streamed batches) through tRPC's fetch adapter;
 *   - plugin routes through the kernel's dispatcher (src/kernel/http/dispatch.ts), which keeps
 *     their own checks (405, body limits, Origin for cookie-borne mutations, errors).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import pg from "pg";
import { TRPCError, type AnyRouter } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { originProblem, type HeaderReader } from "~/kernel/auth/request";
import { batchSizeOf, bodyLimitFor, declaredTooLarge, formatBytes, PayloadTooLarge } from "~/kernel/http/body";
import { createHttpDispatcher, type HttpDispatcher } from "~/kernel/http/dispatch";
import type { HttpRoute } from "~/kernel/http/routes";
import { securityHeaders } from "~/kernel/http/security";
import type { Kernel } from "~/kernel/kernel";
import type { RequestContext } from "~/kernel/trpc";
import { requestContextOf } from "./context";
import { clientAddressOf, goneSignalOf, refuseRestOfNodeBody, requestIdOf } from "./request";
import { fastTrpcCall } from "./trpc-fast";

export const TRPC_ENDPOINT = "/api/trpc";
export const HEALTH_PATH = "/api/health";

export interface ApiOptions {
  /** The booted kernel (rejects when it could not boot: health then answers 503). */
  kernel: () => Promise<Kernel>;
  router: AnyRouter;
  plugins: ReadonlyArray<{ id: string; http?: readonly HttpRoute[] }>;
  /** Off: every tRPC call goes through tRPC's fetch adapter (tests compare the two). */
  fastCalls?: boolean;
}

/** Serves an API request and resolves true once answered; resolves false at once for anything else. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const EMPTY_BODY = new Uint8Array(0);

const JSON_NO_STORE = Object.freeze({ "content-type": "application/json", "cache-control": "no-store" });

/** Node's header object seen through `Headers.get` (no copy). */
class NodeHeaders implements HeaderReader {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

/** A fetch `Headers` copy of node's header object (for fetch-style handlers). */
function webHeadersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name.startsWith(":")) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

function pathnameOf(url: string): string {
  if (!url.startsWith("/")) {
    try {
      return new URL(url).pathname;
    } catch {
      return "/";
    }
  }
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** A procedure path as tRPC clients send it: names, dots, commas (batches); nothing to normalise. */
const PLAIN_TRPC_PATH = /^\/api\/trpc\/[A-Za-z0-9_.,-]*$/;

/**
 * The path and query of a tRPC request. A plain procedure path is split as it is (parsing a URL
 * is a measurable share of a trivial call); anything else is parsed as a URL, normalised.
 */
function trpcTargetOf(raw: string): { pathname: string; searchParams: URLSearchParams } {
  const q = raw.indexOf("?");
  const pathname = q < 0 ? raw : raw.slice(0, q);
  if (PLAIN_TRPC_PATH.test(pathname) && !raw.includes("#")) return { pathname, searchParams: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
  return new URL(raw, "http://atrium.invalid");
}

function routeKind(pathname: string): "trpc" | "api" | "plugin" {
  if (pathname === TRPC_ENDPOINT || pathname.startsWith(`${TRPC_ENDPOINT}/`)) return "trpc";
  if (pathname === HEALTH_PATH) return "api";
  return "plugin";
}

/** Reads node's request body up to `limit` bytes; throws {@link PayloadTooLarge} past it. */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > limit) {
        cleanup();
        req.pause();
        reject(new PayloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new Error("The client went away while sending the body."));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/** Writes a fetch `Response` to node's response: status, headers over `base`, the body streamed (SSE included). */
async function sendWebResponse(res: ServerResponse, response: Response, base: Record<string, string>, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = Object.assign({}, base);
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body || head) {
    res.end();
    await response.body?.cancel().catch(() => {});
    return;
  }
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  res.once("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.once("drain", go);
          res.once("close", go);
        });
      }
      if (res.destroyed) break;
    }
  } catch {
    // The client went away (the reader was cancelled) or the stream failed mid-way: end what was sent.
  } finally {
    res.off("close", stop);
    if (!res.writableEnded) res.end();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, base: Record<string, string>, extra: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, Object.assign({}, base, JSON_NO_STORE, extra));
  res.end(text);
}

/** An error in tRPC's own response shape, so the client shows its message. */
function trpcProblem(status: number, jsonRpcCode: number, code: string, message: string, requestId: string) {
  return { error: { message, code: jsonRpcCode, data: { code, httpStatus: status, requestId } } };
}

/** Response headers a procedure set (cookies, Retry-After), over `base` and `own`, in one copy. */
function withResHeaders(base: Record<string, string>, own: Record<string, string>, resHeaders: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.assign({}, base, own);
  resHeaders.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = resHeaders.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  return out;
}

export function createApiHandler(options: ApiOptions): ApiHandler {
  const dispatcher: HttpDispatcher = createHttpDispatcher(options.plugins);
  const fastCalls = options.fastCalls ?? true;
  let booted: Kernel | undefined;
  let baseHeaders: Record<string, string> | undefined;
  const kernelOf = async (): Promise<Kernel | null> => {
    if (booted) return booted;
    try {
      booted = await options.kernel();
      return booted;
    } catch {
      return null;
    }
  };

  function owns(pathname: string): boolean {
    return routeKind(pathname) !== "plugin" || dispatcher.owns(pathname);
  }

  // A connection of its own for health pings: a flood queueing for the app's connections, or
  // chart queries busy on the owner's small pool, must not make a working instance look dead.
  let healthPool: pg.Pool | undefined;
  const ping = async (kernel: Kernel): Promise<boolean> => {
    if (!healthPool) {
      healthPool = new pg.Pool({ connectionString: kernel.database.url, max: 1, idleTimeoutMillis: 10_000, allowExitOnIdle: true, application_name: "atrium-health" });
      healthPool.on("error", () => {});
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), 2_000);
      });
      await Promise.race([healthPool.query("select 1"), timeout]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  async function serveHealth(res: ServerResponse, kernel: Kernel | null, base: Record<string, string>, requestId: string): Promise<void> {
    const dbOk = kernel ? await ping(kernel) : false;
    res.writeHead(dbOk ? 200 : 503, Object.assign({}, base, JSON_NO_STORE));
    // The request id lets an operator find this failure in the log.
    res.end(JSON.stringify(dbOk ? { status: "ok", db: "ok" } : { status: "error", db: "unreachable", requestId }));
  }

  async function serveTrpc(req: IncomingMessage, res: ServerResponse, kernel: Kernel, base: Record<string, string>, meta: Meta): Promise<void> {
    const { requestId } = meta;
    const method = (req.method ?? "GET").toUpperCase();
    const headers = new NodeHeaders(req.headers);
    const problem = originProblem({ method, headers }, kernel.config.publicUrl);
    if (problem) return sendJson(res, 403, trpcProblem(403, -32003, "FORBIDDEN", problem, requestId), base);
    if (method !== "GET" && method !== "POST" && method !== "HEAD") {
      return sendJson(res, 405, trpcProblem(405, -32005, "METHOD_NOT_SUPPORTED", `${method} is not supported here; use GET or POST.`, requestId), base, { allow: "GET, POST" });
    }

    const url = trpcTargetOf(req.url ?? "/");
    const calls = batchSizeOf(url, TRPC_ENDPOINT);
    if (calls > kernel.config.maxBatch) {
      return sendJson(res, 413, trpcProblem(413, -32413, "BATCH_TOO_LARGE", `Too many calls in one batch (${calls}); send at most ${kernel.config.maxBatch} per request.`, requestId), base);
    }

    const limit = bodyLimitFor(headers, kernel.config);
    let body: Uint8Array;
    try {
      if (declaredTooLarge(headers, limit)) throw new PayloadTooLarge(limit);
      body = method === "POST" ? await readNodeBody(req, limit) : EMPTY_BODY;
    } catch (err) {
      if (err instanceof PayloadTooLarge) {
        refuseRestOfNodeBody(req, res);
        return sendJson(res, 413, trpcProblem(413, -32413, "PAYLOAD_TOO_LARGE", err.message, requestId), base);
      }
      // The client went away or sent a broken chunked body.
      return sendJson(res, 400, trpcProblem(400, -32600, "BAD_REQUEST", "The request body could not be read.", requestId), base);
    }

    const anonymousLimit = kernel.config.maxBodyBytes.anonymous;
    const { signal } = meta;
    const createContext = async (resHeaders: Headers): Promise<RequestContext> => {
      const ctx = await requestContextOf({ kernel, headers, resHeaders, requestId, ip: meta.ip, signal });
      if (ctx.actor.kind === "anonymous" && body.byteLength > anonymousLimit) {
        // A presented credential earned the larger read; it turned out to be worthless.
        throw Object.assign(
          new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `The request body is too large: at most ${formatBytes(anonymousLimit)} (${anonymousLimit} bytes) without signing in.` }),
          { requestId },
        );
      }
      return ctx;
    };

    if (fastCalls && url.pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      const resHeaders = new Headers();
      const answer = await fastTrpcCall(options.router, {
        method,
        path: url.pathname.slice(TRPC_ENDPOINT.length + 1),
        search: url.searchParams,
        headers,
        body,
        signal,
        createContext: () => createContext(resHeaders),
      });
      if (answer) {
        // A known length, no chunked framing; a string body goes out with the head in one write.
        res.writeHead(answer.status, withResHeaders(base, { vary: "trpc-accept, accept", "content-type": "application/json", "content-length": String(Buffer.byteLength(answer.body)) }, resHeaders));
        res.end(answer.body);
        return;
      }
    }

    const request = new Request(`http://${hostOf(req, kernel)}${req.url ?? "/"}`, {
      method,
      headers: webHeadersOf(req.headers),
      body: method === "POST" ? (body as BodyInit) : undefined,
      signal,
    });
    const response = await fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req: request,
      router: options.router,
      // Queries with long inputs (SQL) may be sent as POST with ?method override.
      allowMethodOverride: true,
      maxBatchSize: kernel.config.maxBatch,
      createContext: ({ resHeaders }) => createContext(resHeaders),
    });
    await sendWebResponse(res, response, base, method === "HEAD");
  }

  /** A plugin route's `fast` answer written as it is; false when the route has none or declined. */
  async function servePlain(req: IncomingMessage, res: ServerResponse, kernel: Kernel, base: Record<string, string>, meta: Meta, method: string, body: Uint8Array): Promise<boolean> {
    const answer = await dispatcher.dispatchPlain({ method, url: req.url ?? "/", headers: new NodeHeaders(req.headers), body }, { kernel, router: options.router, requestId: meta.requestId, ip: meta.ip, signal: meta.signal });
    if (!answer) return false;
    // A string body goes out with the head in one write.
    res.writeHead(answer.status, Object.assign({}, base, answer.headers, { "content-length": String(Buffer.byteLength(answer.body)) }));
    res.end(answer.body);
    return true;
  }

  async function servePlugin(req: IncomingMessage, res: ServerResponse, kernel: Kernel, base: Record<string, string>, meta: Meta): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const hasBody = method !== "GET" && method !== "HEAD";
    let body: BodyInit | undefined;
    if (hasBody) {
      // A small body of declared length (an MCP call, a webhook) is read at once: cheaper than a
      // web stream over node's. The route's own limit still applies (Content-Length is checked
      // against it before the handler runs); larger or chunked bodies stream, counted as read.
      const declared = smallDeclaredLength(req.headers["content-length"]);
      if (declared !== null) {
        let bytes: Uint8Array;
        try {
          bytes = await readNodeBody(req, declared);
        } catch {
          return sendJson(res, 400, { error: { code: "BAD_REQUEST", message: "The request body could not be read.", requestId: meta.requestId } }, base);
        }
        // The whole body is here: a route with a `fast` handler may answer with no web objects.
        if (await servePlain(req, res, kernel, base, meta, method, bytes)) return;
        body = bytes as BodyInit;
      } else {
        body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      }
    } else if (method !== "HEAD" && (await servePlain(req, res, kernel, base, meta, method, EMPTY_BODY))) {
      return;
    }
    const request = new Request(`http://${hostOf(req, kernel)}${req.url ?? "/"}`, {
      method,
      headers: webHeadersOf(req.headers),
      body,
      signal: meta.signal,
      // Node's fetch requires this for a streamed request body.
      duplex: "half",
    } as RequestInit);
    // The request's own signal follows meta.signal (it was built with it): the dispatcher uses it.
    const response = await dispatcher.dispatch(request, { kernel, router: options.router, requestId: meta.requestId, ip: meta.ip });
    if (!response) return sendJson(res, 404, { error: { code: "NOT_FOUND", message: "Nothing here.", requestId: meta.requestId } }, base);
    if (response.status === 413) refuseRestOfNodeBody(req, res);
    await sendWebResponse(res, response, base, method === "HEAD");
  }

  return async function serveApi(req, res) {
    const pathname = pathnameOf(req.url ?? "/");
    if (!owns(pathname)) return false;
    const started = performance.now();
    const requestId = requestIdOf(req.headers["x-request-id"]);
    const kernel = await kernelOf();
    const kind = routeKind(pathname);
    const method = req.method ?? "GET";
    if (kernel) {
      baseHeaders ??= securityHeaders({ publicUrl: kernel.config.publicUrl, nonce: null, api: true });
      res.once("finish", () => {
        kernel.metrics.httpRequests.inc({ method, route: kind, status: String(res.statusCode) });
        kernel.log.info({ requestId, method, path: pathname, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 }, "request");
      });
    }
    const base: Record<string, string> = Object.assign({}, baseHeaders, { "x-request-id": requestId });
    try {
      if (kind === "api") {
        await serveHealth(res, kernel, base, requestId);
        return true;
      }
      if (!kernel) {
        sendJson(res, 503, { error: { code: "SERVICE_UNAVAILABLE", message: "Atrium is not running.", requestId } }, base);
        return true;
      }
      const meta: Meta = { requestId, ip: clientAddressOf(req, kernel.config.trustProxy), signal: goneSignalOf(res) };
      if (kind === "trpc") await serveTrpc(req, res, kernel, base, meta);
      else await servePlugin(req, res, kernel, base, meta);
    } catch (err) {
      kernel?.log.error({ err, requestId, path: pathname }, "API request failed");
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side. It has been logged.", requestId } }, base);
      else if (!res.writableEnded) res.end();
    }
    return true;
  };
}

interface Meta {
  requestId: string;
  ip: string | null;
  signal: AbortSignal;
}

/** Bodies up to this size with a declared length are read before the plugin route runs. */
const SMALL_BODY_BYTES = 64 * 1024;

/** The declared Content-Length when it is a plain number no larger than {@link SMALL_BODY_BYTES}, else null. */
function smallDeclaredLength(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,6}$/.test(header)) return null;
  const n = Number(header);
  return n <= SMALL_BODY_BYTES ? n : null;
}

const HOST = /^[A-Za-z0-9.:[\]-]{1,255}$/;

/** The request's host for building its URL: a sane Host header, else PUBLIC_URL's. */
function hostOf(req: IncomingMessage, kernel: Kernel): string {
  const host = req.headers.host;
  return host && HOST.test(host) ? host : new URL(kernel.config.publicUrl).host;
}
