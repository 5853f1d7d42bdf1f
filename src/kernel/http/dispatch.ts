/**
 * The kernel's HTTP dispatcher: serves every plugin's `http` routes, framework-free (a
 * `Request` in, a `Response` out, or null when no plugin owns the path).
 *
 * The server mounts it once, in the request middleware (src/middleware.ts), ahead of the file
 * router: so no file under src/routes names a plugin, a plugin removed from src/plugins.ts
 * takes its routes with it, and dot paths (`/.well-known/…`), which the file router cannot
 * build, are served too. In order, for a matching route:
 *   1. 405 with `Allow` when the path is a plugin's but the method is not;
 *   2. the body limit: a declared Content-Length over it → 413 unread; otherwise the body is
 *      counted as the handler reads it and cut off past the limit (→ 413);
 *   3. the handler, with a context (kernel, request id, client address, abort signal, params,
 *      the caller resolved lazily, procedures callable as the caller); a state-changing request
 *      with a session cookie from another Origin gets no caller (403), as on /api/trpc;
 *   4. errors: 413 for an oversized body, the tRPC status for a TRPCError (a bad bearer token
 *      → 401), else 500 with a generic message (the error is logged with the request id).
 */
import { TRPCError, type AnyRouter } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { originProblem, resolveCaller } from "../auth/request";
import type { Kernel } from "../kernel";
import { createCallerFactory, type Actor, type RequestContext } from "../trpc";
import { bodyLimitFor, declaredTooLarge, declaredWithin, presentsCredentials, formatBytes, payloadTooLargeOf, withBodyLimit } from "./body";
import type { HeaderReader } from "../auth/request";
import { compilePath, matchPath, methodsOf, type CompiledPath, type HttpContext, type HttpMethod, type HttpRoute, type PlainRequest, type PlainResponse } from "./routes";

/** What the server knows about a request before a route runs. */
export interface DispatchEnv {
  kernel: Kernel;
  router: AnyRouter;
  requestId: string;
  ip: string | null;
  /** Aborted when the client goes away; defaults to the request's own signal. */
  signal?: AbortSignal;
}

interface Entry {
  pluginId: string;
  route: HttpRoute;
  compiled: CompiledPath;
  methods: readonly HttpMethod[];
  /** Literal segments count: a more literal route wins over a parameter (`/x/new` over `/x/:id`). */
  specificity: number;
}

export interface HttpDispatcher {
  /** The plugin route serving this method and path (HEAD is served by GET), or null. */
  match(method: string, pathname: string): { pluginId: string; route: HttpRoute; params: Record<string, string> } | null;
  /** True when some plugin route has this path (whatever the method). */
  owns(pathname: string): boolean;
  /** Serves the request, or returns null when no plugin route has its path. */
  dispatch(request: Request, env: DispatchEnv): Promise<Response | null>;
  /**
   * Serves a fully read request through its route's `fast` handler; null when there is none, the
   * handler declines, or anything else (405, a body over the limit) is to be answered: then the
   * server calls `dispatch`.
   */
  dispatchPlain(request: PlainRequest, env: DispatchEnv & { signal: AbortSignal }): Promise<PlainResponse | null>;
}

/** A JSON error in the shape every plugin route answers: `{ error: { code, message, requestId } }`. */
export function httpProblem(status: number, code: string, message: string, requestId: string | null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message, requestId } }, { status, headers: { "cache-control": "no-store", ...headers } });
}

function splitPath(pathname: string): string[] {
  return pathname === "/" ? [] : pathname.slice(1).split("/");
}

/** The same problem as {@link httpProblem}, as a plain answer. */
function plainProblem(status: number, code: string, message: string, requestId: string | null, headers: Record<string, string | string[]> = {}): PlainResponse {
  return { status, headers: { "content-type": "application/json", "cache-control": "no-store", ...headers }, body: JSON.stringify({ error: { code, message, requestId } }) };
}

function withExtraHeaders(response: Response, extra: Headers): Response {
  let any = false;
  extra.forEach(() => (any = true));
  if (!any) return response;
  const merged = new Headers(response.headers);
  extra.forEach((value, name) => (name === "set-cookie" ? merged.append(name, value) : merged.set(name, value)));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: merged });
}

/** Builds the dispatcher for a plugin list (the list's routes were checked by validatePlugins). */
export function createHttpDispatcher(plugins: ReadonlyArray<{ id: string; http?: readonly HttpRoute[] }>): HttpDispatcher {
  const entries: Entry[] = [];
  for (const plugin of plugins) {
    for (const route of plugin.http ?? []) {
      const compiled = compilePath(route.path);
      entries.push({
        pluginId: plugin.id,
        route,
        compiled,
        methods: methodsOf(route),
        specificity: compiled.segments.filter((s) => s.kind === "literal").length,
      });
    }
  }
  entries.sort((a, b) => b.specificity - a.specificity);

  // Routes without parameters are found by their path; only the others are matched segment by
  // segment. A path's literal routes come first, as in `entries` (more literal segments win).
  const literal = new Map<string, Entry[]>();
  const patterned: Entry[] = [];
  for (const entry of entries) {
    if (entry.compiled.segments.every((s) => s.kind === "literal")) {
      const list = literal.get(entry.compiled.shape);
      if (list) list.push(entry);
      else literal.set(entry.compiled.shape, [entry]);
    } else {
      patterned.push(entry);
    }
  }
  const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

  function candidates(pathname: string) {
    const out: Array<{ entry: Entry; params: Record<string, string> }> = [];
    for (const entry of literal.get(pathname) ?? []) out.push({ entry, params: NO_PARAMS });
    if (patterned.length === 0) return out;
    const segments = splitPath(pathname);
    for (const entry of patterned) {
      const params = matchPath(entry.compiled, segments);
      if (params) out.push({ entry, params });
    }
    return out;
  }

  function match(method: string, pathname: string) {
    const wanted = (method.toUpperCase() === "HEAD" ? "GET" : method.toUpperCase()) as HttpMethod;
    // A literal route comes first among a path's candidates: when one takes the method, it wins.
    for (const entry of literal.get(pathname) ?? []) {
      if (entry.methods.includes(wanted)) return { pluginId: entry.pluginId, route: entry.route, params: NO_PARAMS };
    }
    for (const { entry, params } of candidates(pathname)) {
      if (entry.methods.includes(wanted)) return { pluginId: entry.pluginId, route: entry.route, params };
    }
    return null;
  }

  function limitOf(route: HttpRoute, headers: HeaderReader, kernel: DispatchEnv["kernel"]): number {
    const declared = route.maxBodyBytes;
    return typeof declared === "function" ? declared(kernel) : (declared ?? bodyLimitFor(headers, kernel.config));
  }

  /** A route's context: the caller resolved on first use (Origin-checked for cookies), procedures callable as them. */
  function contextOf(
    hit: { route: HttpRoute; params: Record<string, string> },
    env: DispatchEnv,
    request: RouteRequest,
  ): HttpContext {
    return new RouteContext(hit, env, request);
  }

  async function dispatchPlain(request: PlainRequest, env: DispatchEnv & { signal: AbortSignal }): Promise<PlainResponse | null> {
    if (!entries.length) return null;
    const method = request.method.toUpperCase();
    if (method === "HEAD") return null;
    const q = request.url.indexOf("?");
    const pathname = q < 0 ? request.url : request.url.slice(0, q);
    const hit = match(method, pathname);
    const fast = hit?.route.fast;
    if (!hit || !fast) return null;
    const limit = limitOf(hit.route, request.headers, env.kernel);
    if (request.body.byteLength > limit || declaredTooLarge(request.headers, limit)) return null;
    const resHeaders = new Headers();
    const ctx = contextOf(hit, env, { method, headers: request.headers, url: () => new URL(request.url, env.kernel.config.publicUrl), signal: env.signal, limit, resHeaders });
    const extra = (): Record<string, string | string[]> => {
      const out: Record<string, string | string[]> = {};
      resHeaders.forEach((value, name) => {
        if (name !== "set-cookie") out[name] = value;
      });
      const cookies = resHeaders.getSetCookie();
      if (cookies.length) out["set-cookie"] = cookies;
      return out;
    };
    try {
      const answer = await fast.call(hit.route, request, ctx);
      if (!answer) return null;
      const added = extra();
      return Object.keys(added).length ? Object.assign({}, answer, { headers: Object.assign({}, answer.headers, added) }) : answer;
    } catch (err) {
      if (err instanceof TRPCError) {
        const status = getHTTPStatusCodeFromError(err);
        if (status < 500) return plainProblem(status, err.code, err.message, env.requestId, extra());
      }
      env.kernel.log.error({ err, requestId: env.requestId, plugin: hit.pluginId, path: pathname }, "plugin HTTP route failed");
      return plainProblem(500, "INTERNAL_SERVER_ERROR", "Something went wrong on our side. It has been logged.", env.requestId);
    }
  }

  async function dispatch(request: Request, env: DispatchEnv): Promise<Response | null> {
    const url = new URL(request.url);
    if (!entries.length) return null;
    const found = candidates(url.pathname);
    if (!found.length) return null;
    const { kernel, requestId } = env;
    const hit = match(request.method, url.pathname);
    if (!hit) {
      const allow: string[] = [...new Set(found.flatMap((f) => f.entry.methods))];
      if (allow.includes("GET")) allow.push("HEAD");
      return httpProblem(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed here; use ${allow.join(", ")}.`, requestId, { allow: allow.join(", ") });
    }

    const limit = limitOf(hit.route, request.headers, kernel);
    const tooLarge = () =>
      // The server adapter closes the connection rather than drain the rest (src/server/request.ts).
      httpProblem(413, "PAYLOAD_TOO_LARGE", `The request body is too large: at most ${formatBytes(limit)} (${limit} bytes) here.`, requestId);
    if (declaredTooLarge(request.headers, limit)) return tooLarge();

    const signal = env.signal ?? request.signal;
    const resHeaders = new Headers();
    const ctx = contextOf(hit, env, { method: request.method, headers: request.headers, url: () => url, signal, limit, resHeaders });

    try {
      // A body of declared length within the limit cannot outgrow it (HTTP framing): no counting
      // stream, and the request keeps its own signal when no other was given.
      const bounded = declaredWithin(request.headers, limit) && !env.signal ? request : withBodyLimit(request, limit, signal);
      const response = await hit.route.handle(bounded, ctx);
      const out = withExtraHeaders(response, resHeaders);
      return request.method.toUpperCase() === "HEAD" ? new Response(null, { status: out.status, headers: out.headers }) : out;
    } catch (err) {
      if (payloadTooLargeOf(err)) return tooLarge();
      if (err instanceof TRPCError) {
        const status = getHTTPStatusCodeFromError(err);
        if (status < 500) return withExtraHeaders(httpProblem(status, err.code, err.message, requestId), resHeaders);
      }
      kernel.log.error({ err, requestId, plugin: hit.pluginId, path: url.pathname }, "plugin HTTP route failed");
      return httpProblem(500, "INTERNAL_SERVER_ERROR", "Something went wrong on our side. It has been logged.", requestId);
    }
  }

  return {
    match,
    owns: (pathname) => literal.has(pathname) || candidates(pathname).length > 0,
    dispatch,
    dispatchPlain,
  };
}

/** What a route's context needs of its request. */
interface RouteRequest {
  method: string;
  headers: HeaderReader;
  url: () => URL;
  signal: AbortSignal;
  limit: number;
  resHeaders: Headers;
}

/**
 * {@link HttpContext} for one request. A class rather than an object literal of closures: one
 * is made per plugin request (an MCP call among them), and a literal with a getter and four
 * closures cost more than the fields it holds.
 */
class RouteContext implements HttpContext {
  readonly kernel: Kernel;
  readonly router: AnyRouter;
  readonly requestId: string;
  readonly ip: string | null;
  readonly signal: AbortSignal;
  readonly params: Readonly<Record<string, string>>;
  readonly maxBodyBytes: number;
  readonly resHeaders: Headers;
  #url: URL | undefined;
  #caller: Promise<Actor> | undefined;

  constructor(
    private readonly hit: { route: HttpRoute; params: Record<string, string> },
    env: DispatchEnv,
    private readonly request: RouteRequest,
  ) {
    this.kernel = env.kernel;
    this.router = env.router;
    this.requestId = env.requestId;
    this.ip = env.ip;
    this.signal = request.signal;
    this.params = Object.freeze(hit.params);
    this.maxBodyBytes = request.limit;
    this.resHeaders = request.resHeaders;
  }

  get url(): URL {
    return (this.#url ??= this.request.url());
  }

  caller(): Promise<Actor> {
    return (this.#caller ??= this.#resolve());
  }

  async #resolve(): Promise<Actor> {
    const { kernel, request } = this;
    // A state-changing request riding on a cookie must come from our own origin (CSRF), as on
    // /api/trpc; bearer tokens carry no ambient credentials and are exempt.
    const csrf = originProblem(request, kernel.config.publicUrl);
    if (csrf && presentsCredentials(request.headers)) throw new TRPCError({ code: "FORBIDDEN", message: csrf });
    const resource = this.hit.route.bearerResource;
    const { actor, setCookie } = await resolveCaller(kernel, request.headers, resource ? { agentResource: `${kernel.config.publicUrl}${resource}` } : {});
    if (setCookie) this.resHeaders.append("set-cookie", setCookie);
    return actor;
  }

  async requestContext(): Promise<RequestContext> {
    return {
      kernel: this.kernel,
      actor: await this.caller(),
      db: this.kernel.db,
      requestId: this.requestId,
      ip: this.ip,
      resHeaders: this.resHeaders,
      signal: this.signal,
      userAgent: this.request.headers.get("user-agent"),
    };
  }

  async call<T>(path: string, input?: unknown): Promise<T> {
    let target: unknown = createCallerFactory(this.router)(await this.requestContext());
    for (const segment of path.split(".")) target = (target as Record<string, unknown> | undefined)?.[segment];
    if (typeof target !== "function") throw new TRPCError({ code: "NOT_FOUND", message: `No procedure "${path}".` });
    return (target as (input: unknown) => Promise<T>)(input);
  }
}
