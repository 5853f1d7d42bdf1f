/**
 * Plugin HTTP routes: a plugin's own doors to the street (MCP, webhooks, ingestion, OAuth,
 * public data), declared in its `http` list and served by one kernel dispatcher
 * (./dispatch.ts). This module holds the contract's types, the path patterns and the boot
 * check; see docs/plugins.md ("HTTP routes") and docs/decisions/018-plugin-http-routes-and-boundaries.md.
 */
import type { AnyRouter } from "@trpc/server";
import type { HeaderReader } from "../auth/request";
import type { Kernel } from "../kernel";
import type { Actor, RequestContext } from "../trpc";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What a route handler receives besides the `Request`. */
export interface HttpContext {
  readonly kernel: Kernel;
  /** The root router (every installed plugin's procedures). */
  readonly router: AnyRouter;
  /** This request's id (echoed as `x-request-id`, written to logs and audit entries). */
  readonly requestId: string;
  /** The client's address (from `X-Forwarded-For` only when ATRIUM_TRUST_PROXY is on). */
  readonly ip: string | null;
  /** Aborted when the client goes away (the socket closes before the answer is sent). */
  readonly signal: AbortSignal;
  /** The path's `:params`, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly url: URL;
  /** The body limit in force for this request, in bytes. */
  readonly maxBodyBytes: number;
  /**
   * Who is calling, from the session cookie or bearer token, resolved on first use. A bad bearer
   * token rejects with a 401 error (the dispatcher answers 401 if the handler lets it through).
   */
  caller(): Promise<Actor>;
  /** The request context procedures get for this caller (same id, address, signal, headers). */
  requestContext(): Promise<RequestContext>;
  /** Calls a procedure by dotted path (`dashboards.get`) as the caller, through every guard. */
  call<T = unknown>(path: string, input?: unknown): Promise<T>;
  /** Headers the dispatcher adds to the handler's response (a slid session cookie, Retry-After). */
  readonly resHeaders: Headers;
}

/** A request as the server read it, with no web objects: what a route's `fast` handler gets. */
export interface PlainRequest {
  readonly method: string;
  /** The path and query, as sent. */
  readonly url: string;
  readonly headers: HeaderReader;
  /** The whole body, already read (empty for a request without one). */
  readonly body: Uint8Array;
}

/** A `fast` handler's answer: written as it is, with `Content-Length`. */
export interface PlainResponse {
  readonly status: number;
  /** Header values; several `set-cookie` values as a list. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
}

/** One HTTP route a plugin serves. */
export interface HttpRoute {
  /** One method or several; a GET route also answers HEAD. */
  readonly method: HttpMethod | readonly HttpMethod[];
  /**
   * An absolute path, `:name` for a parameter segment: `/api/s/:token/data`. Dot segments are
   * fine (`/.well-known/…`): the dispatcher runs before the file router, which cannot serve them.
   */
  readonly path: string;
  /**
   * The largest body this route accepts, in bytes (default: ATRIUM_MAX_BODY_BYTES_ANONYMOUS for
   * callers without credentials, ATRIUM_MAX_BODY_BYTES for the rest). Enforced while streaming.
   * A function reads it from the booted kernel (a plugin setting).
   */
  readonly maxBodyBytes?: number | ((kernel: Kernel) => number);
  /**
   * The resource (a path under PUBLIC_URL, e.g. `/api/v1`) this route is part of, when it also
   * accepts OAuth access tokens issued for that resource (RFC 8707); without it, `caller()`
   * knows only personal access tokens and sessions.
   */
  readonly bearerResource?: string;
  /**
   * For a route under `/api/v1`: its OpenAPI 3.1 Operation Objects by lower-case method
   * (`{ post: { summary, parameters, requestBody, responses } }`), which the rest-api plugin
   * adds to `/api/v1/openapi.json` (`:name` segments become `{name}`).
   */
  readonly openapi?: Readonly<Partial<Record<Lowercase<HttpMethod>, Readonly<Record<string, unknown>>>>>;
  handle(request: Request, ctx: HttpContext): Response | Promise<Response>;
  /**
   * Optional, for a hot path (MCP): answers the common request without building a `Request` and
   * a `Response`. The server offers it only requests whose whole body it has read (declared
   * length, small, within the route's limit), never HEAD; the dispatcher's guarantees hold as for
   * `handle` (the caller from `ctx`, errors mapped the same way, `ctx.resHeaders` added). Null
   * means "not this one": the request then goes to `handle`, so answer null before any side
   * effect (a counted rate limit, a write).
   */
  fast?(request: PlainRequest, ctx: HttpContext): Promise<PlainResponse | null>;
}

/**
 * Paths the kernel serves itself. `prefix: true` reserves everything below too. A plugin route
 * that could match any of them is refused at boot.
 */
export const RESERVED_HTTP_PATHS: ReadonlyArray<{ path: string; prefix: boolean; owner: string }> = [
  { path: "/", prefix: false, owner: "the home page" },
  { path: "/api/trpc", prefix: true, owner: "the tRPC endpoint" },
  { path: "/api/health", prefix: true, owner: "the health check" },
  { path: "/metrics", prefix: true, owner: "Prometheus metrics" },
  { path: "/auth", prefix: true, owner: "sign-in providers (/auth/<provider>/…)" },
  { path: "/_build", prefix: true, owner: "built assets" },
  { path: "/_server", prefix: true, owner: "server functions" },
  { path: "/assets", prefix: true, owner: "built assets" },
  { path: "/o", prefix: true, owner: "org and project pages (declare a page instead)" },
  { path: "/orgs", prefix: true, owner: "kernel pages" },
  { path: "/invite", prefix: true, owner: "invitation pages" },
  { path: "/account", prefix: true, owner: "the account page" },
  { path: "/sign-in", prefix: true, owner: "the sign-in page" },
  { path: "/sign-up", prefix: true, owner: "the sign-up page" },
  { path: "/forgot-password", prefix: true, owner: "the password reset page" },
  { path: "/reset-password", prefix: true, owner: "the password reset page" },
  { path: "/verify-email", prefix: true, owner: "the email verification page" },
  { path: "/favicon.svg", prefix: false, owner: "the favicon" },
];

const SEGMENT = /^(?::[a-zA-Z][a-zA-Z0-9_]*|[A-Za-z0-9._~-]+)$/;

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string };

/** A route's path, parsed: its segments and a key that is equal for paths that always match alike. */
export interface CompiledPath {
  readonly segments: readonly Segment[];
  /** `/api/s/:/data`: two routes with one shape and one method are duplicates. */
  readonly shape: string;
}

/** Parses a path pattern; throws an Error saying what is wrong. */
export function compilePath(path: string): CompiledPath {
  if (typeof path !== "string" || !path.startsWith("/")) throw new Error(`path "${path}" must start with "/"`);
  if (path === "/") return { segments: [], shape: "/" };
  if (path.endsWith("/")) throw new Error(`path "${path}" must not end with "/"`);
  const names = new Set<string>();
  const segments = path
    .slice(1)
    .split("/")
    .map((raw): Segment => {
      if (!SEGMENT.test(raw) || raw === "." || raw === "..") {
        throw new Error(`path "${path}": segment "${raw}" must be letters, digits, "._~-", or a :param`);
      }
      if (!raw.startsWith(":")) return { kind: "literal", value: raw };
      const name = raw.slice(1);
      if (names.has(name)) throw new Error(`path "${path}": parameter ":${name}" appears twice`);
      names.add(name);
      return { kind: "param", name };
    });
  return { segments, shape: "/" + segments.map((s) => (s.kind === "param" ? ":" : s.value)).join("/") };
}

/** Matches a request path's segments against a compiled path; the decoded params, or null. */
export function matchPath(compiled: CompiledPath, pathSegments: readonly string[]): Record<string, string> | null {
  if (compiled.segments.length !== pathSegments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pathSegments.length; i++) {
    const pattern = compiled.segments[i]!;
    const actual = pathSegments[i]!;
    if (pattern.kind === "literal") {
      if (pattern.value !== actual) return null;
    } else {
      if (!actual) return null;
      try {
        params[pattern.name] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    }
  }
  return params;
}

/** A route's methods as a list. */
export function methodsOf(route: Pick<HttpRoute, "method">): readonly HttpMethod[] {
  return typeof route.method === "string" ? [route.method] : route.method;
}

function reservedConflict(compiled: CompiledPath): (typeof RESERVED_HTTP_PATHS)[number] | null {
  for (const reserved of RESERVED_HTTP_PATHS) {
    const parts = reserved.path === "/" ? [] : reserved.path.slice(1).split("/");
    const segs = compiled.segments;
    if (reserved.prefix ? segs.length < parts.length : segs.length !== parts.length) continue;
    // A parameter segment could take the reserved literal's value: that is a conflict too.
    if (parts.every((part, i) => segs[i]!.kind === "param" || (segs[i] as { value: string }).value === part)) return reserved;
  }
  return null;
}

/**
 * Problems with the plugins' HTTP routes, each saying what to change: malformed paths or
 * methods, kernel paths, and a method+path declared twice.
 */
export function httpRouteProblems(plugins: ReadonlyArray<{ id: string; http?: readonly HttpRoute[] }>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const plugin of plugins) {
    for (const route of plugin.http ?? []) {
      const where = `plugin "${plugin.id}": HTTP route ${JSON.stringify(route?.path)}`;
      let compiled: CompiledPath;
      try {
        compiled = compilePath(route.path);
      } catch (err) {
        problems.push(`plugin "${plugin.id}": HTTP ${(err as Error).message}`);
        continue;
      }
      if (typeof route.handle !== "function") problems.push(`${where} has no handle(request, ctx) function`);
      const methods = methodsOf(route);
      if (!methods.length) problems.push(`${where} lists no method`);
      for (const method of methods) {
        if (!HTTP_METHODS.includes(method)) problems.push(`${where}: method "${String(method)}" is not one of ${HTTP_METHODS.join(", ")}`);
      }
      const max = route.maxBodyBytes;
      if (max !== undefined && typeof max !== "function" && !(Number.isInteger(max) && max >= 0)) {
        problems.push(`${where}: maxBodyBytes must be a whole number of bytes (or a function of the kernel returning one)`);
      }
      const reserved = reservedConflict(compiled);
      if (reserved) {
        problems.push(
          `${where} collides with ${reserved.path}${reserved.prefix ? "/…" : ""}, which the kernel serves (${reserved.owner}); choose a path under /api/${plugin.id}/ or another one of the plugin's own`,
        );
        continue;
      }
      for (const method of methods) {
        const key = `${method} ${compiled.shape}`;
        const other = seen.get(key);
        if (other) {
          problems.push(
            `${where}: ${method} ${compiled.shape} is also declared by plugin "${other}"; each method and path belongs to one plugin (rename one, e.g. under /api/${plugin.id}/)`,
          );
        } else seen.set(key, plugin.id);
      }
    }
  }
  return problems;
}
