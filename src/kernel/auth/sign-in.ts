/**
 * The one way any sign-in method (password, OIDC, GitHub …) turns a verified person into a
 * browser session: a new token every time, the cookie set on the response, an audit event —
 * session and audit event written in one statement, which also ends the person's least recently
 * seen sessions beyond {@link MAX_LIVE_SESSIONS}.
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { auditRowOf } from "../audit";
import type { Kernel } from "../kernel";
import { generateSessionToken, sessionIdOf, SESSION_LIFETIME_MS, MAX_LIVE_SESSIONS, invalidateSession, sessionCookie, clearedSessionCookie } from "./session";
import { isSecureUrl } from "./request";
import { autoJoinOrgs, sessionSignInOf } from "./policy";

export interface SignInRequest {
  kernel: Kernel;
  resHeaders: Headers | null;
  ip: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** How a provider vouched for the person, for the session record and org auto-join. */
export interface SignInVia {
  /** The provider id ("okta", "github"); defaults to what follows "kind:" in `method`. */
  provider?: string | null;
  /** The address the provider says is verified: people at an org's auto-join domain join it. */
  verifiedEmail?: string | null;
  /** A rate-limit key the sign-in clears (the account's failed-attempt counter), with the session. */
  clearRateLimitKey?: string | null;
}

/**
 * Creates a session for `userId`, sets its cookie, audits `auth.sign_in` with `method`
 * ("password", "oidc:okta", "github:github"). The session records the kind and provider, which
 * org sign-in policies check; a provider sign-in with a verified address then runs auto-join.
 */
export async function startSession(req: SignInRequest, userId: string, method: string, via: SignInVia = {}): Promise<{ token: string; expiresAt: Date }> {
  const { kernel } = req;
  const token = generateSessionToken();
  const signIn = sessionSignInOf(method, via.provider);
  const session = { id: sessionIdOf(token), userId, expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS) };
  const audit = auditRowOf({ kind: "user", userId }, { action: "auth.sign_in", data: { method } }, { ip: req.ip, requestId: req.requestId });
  // One statement, one commit: the session is made only for a person who exists and is not
  // disabled (read in the same statement, so a disable racing this sign-in cannot slip between a
  // check and the insert); its audit event and the cleared rate-limit key go with it, or not at all.
  // So does the limit: the statement's snapshot does not hold the new session, so it keeps the
  // MAX_LIVE_SESSIONS - 1 live sessions seen last and ends the others (expired ones are left to
  // housekeeping). The delete fires the sessions trigger like any sign-out, so every instance's
  // auth cache drops an ended session (src/kernel/auth/cache.ts). Two sign-ins racing may each
  // keep one over; the next sign-in trims back.
  const { rows } = await sql<{ id: string }>`
    with made as (
      insert into sessions (id, user_id, expires_at, ip, user_agent, sign_in_method, sign_in_provider)
      select ${session.id}::text, users.id, ${session.expiresAt}::timestamptz, ${req.ip ?? null}::text,
             ${req.userAgent?.slice(0, 300) ?? null}::text, ${signIn.method}::text, ${signIn.provider}::text
        from users where users.id = ${userId} and users.disabled_at is null
      returning id
    ), audited as (
      insert into audit_events (org_id, actor_kind, actor_user_id, actor_token_id, actor_label, action, target_type, target_id, data, ip, request_id)
      select ${audit.org_id}::uuid, ${audit.actor_kind}::text, ${audit.actor_user_id}::uuid, ${audit.actor_token_id}::uuid, ${audit.actor_label}::text,
             ${audit.action}::text, ${audit.target_type}::text, ${audit.target_id}::text, ${audit.data}::jsonb, ${audit.ip}::text, ${audit.request_id}::text
        from made
    ), cleared as (
      delete from rate_limits where key = ${via.clearRateLimitKey ?? null}::text and exists (select from made)
    ), evicted as (
      delete from sessions where id in (
        select id from sessions
         where user_id = ${userId}::uuid and expires_at > now() and exists (select from made)
         order by last_seen_at desc, created_at desc, id
         offset ${MAX_LIVE_SESSIONS - 1}::int)
    )
    select id from made`.execute(kernel.db);
  if (rows.length === 0) {
    const user = await kernel.db.selectFrom("users").select("disabled_at").where("id", "=", userId).executeTakeFirst();
    if (user?.disabled_at) throw new TRPCError({ code: "FORBIDDEN", message: "This account is disabled. Contact your organization's administrator." });
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign-in failed." });
  }
  req.resHeaders?.append("set-cookie", sessionCookie(token, session.expiresAt, isSecureUrl(kernel.config.publicUrl)));
  if (signIn.provider && via.verifiedEmail) {
    await autoJoinOrgs(kernel, { userId, email: via.verifiedEmail, provider: signIn.provider, ip: req.ip, requestId: req.requestId });
  }
  return { token, expiresAt: session.expiresAt };
}

/** Ends one session and clears the cookie. */
export async function endSession(req: SignInRequest, sessionId: string): Promise<void> {
  await invalidateSession(req.kernel.db, sessionId);
  req.resHeaders?.append("set-cookie", clearedSessionCookie(isSecureUrl(req.kernel.config.publicUrl)));
}
