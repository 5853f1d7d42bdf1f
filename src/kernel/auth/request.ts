/**
 * Who is asking, from an HTTP request: a session cookie or a bearer token. Framework-free so
 * every surface (tRPC, MCP, the CLI's HTTP calls, plain API routes) resolves callers the same way.
 */
import { TRPCError } from "@trpc/server";
import type { Kernel } from "../kernel";
import type { Actor } from "../actor";
import { readSessionCookie, sessionCookie, validateSessionToken } from "./session";
import { verifyAgentBearer } from "./bearer";
import { TOKEN_PREFIX, verifyApiToken } from "./tokens";

export interface ResolvedCaller {
  actor: Actor;
  /** A Set-Cookie header to send back (the session's expiry slid forward). */
  setCookie: string | null;
}

/** Thrown for a bad bearer token: the caller answers 401, never treats it as anonymous. */
export class BearerRejected extends TRPCError {
  constructor(reason: string) {
    super({ code: "UNAUTHORIZED", message: `Invalid access token (${reason}).` });
  }
}

export function isSecureUrl(publicUrl: string): boolean {
  return publicUrl.startsWith("https://");
}

/** What reading a request's headers needs: a fetch `Headers`, or a view of node's header object. */
export type HeaderReader = Pick<Headers, "get">;

/**
 * `agentResource`: the URL of the resource being called when it also accepts the tokens a
 * plugin's bearer verifier issues (OAuth access tokens bound to that resource, RFC 8707), as
 * the ingestion API does for the CLI; elsewhere only personal access tokens are bearer tokens.
 */
export async function resolveCaller(kernel: Kernel, headers: HeaderReader, options: { agentResource?: string } = {}): Promise<ResolvedCaller> {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new BearerRejected("malformed");
    if (options.agentResource && !match[1]!.startsWith(TOKEN_PREFIX)) {
      const agent = await verifyAgentBearer(kernel, match[1]!, { resource: options.agentResource });
      if (!agent.ok) {
        if (agent.status === 403) throw new TRPCError({ code: "FORBIDDEN", message: `${agent.reason}.` });
        throw new BearerRejected(agent.reason.replace(/^The access token (is |was |has )?/, ""));
      }
      const b = agent.bearer;
      return { actor: { kind: "token", userId: b.userId, tokenId: b.tokenId, orgId: b.orgId, scopes: b.scopes, projectIds: b.projectIds }, setCookie: null };
    }
    // Personal access tokens; another kind of bearer token is verified here, next to it.
    const check = await verifyApiToken(kernel.db, match[1]!, kernel.authCache);
    if (!check.ok) throw new BearerRejected(check.reason);
    const { token } = check;
    return { actor: { kind: "token", userId: token.userId, tokenId: token.id, orgId: token.orgId, scopes: token.scopes }, setCookie: null };
  }
  const sessionToken = readSessionCookie(headers.get("cookie"));
  if (sessionToken) {
    const result = await validateSessionToken(kernel.db, sessionToken, kernel.authCache);
    if (result.session) {
      return {
        actor: { kind: "user", userId: result.user.id, sessionId: result.session.id },
        setCookie: result.fresh ? sessionCookie(sessionToken, result.session.expiresAt, isSecureUrl(kernel.config.publicUrl)) : null,
      };
    }
  }
  return { actor: { kind: "anonymous" }, setCookie: null };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The origin of the public URL, parsed once per URL (it is the same for every request). */
let lastOrigin: { url: string; origin: string } | null = null;
function originOf(publicUrl: string): string {
  if (lastOrigin?.url !== publicUrl) lastOrigin = { url: publicUrl, origin: new URL(publicUrl).origin };
  return lastOrigin.origin;
}

/**
 * CSRF defence: a state-changing request that rides on a cookie must come from our own origin.
 * Requests with a bearer token carry no ambient credentials and are exempt.
 * Returns an error message, or null when the request may proceed.
 */
export function originProblem(request: { method: string; headers: HeaderReader }, publicUrl: string): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  if (request.headers.get("authorization")) return null;
  const origin = request.headers.get("origin");
  const allowed = originOf(publicUrl);
  if (!origin) return "Missing Origin header on a state-changing request.";
  if (origin !== allowed) return `Origin ${origin} is not allowed; requests must come from ${allowed}.`;
  return null;
}
