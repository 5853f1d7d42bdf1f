/**
 * The one way any sign-in method (password, OIDC, GitHub …) turns a verified person into a
 * browser session: a new token every time, the cookie set on the response, an audit event.
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { writeAudit } from "../audit";
import type { Kernel } from "../kernel";
import { generateSessionToken, sessionIdOf, SESSION_LIFETIME_MS, invalidateSession, sessionCookie, clearedSessionCookie } from "./session";
import { isSecureUrl } from "./request";
import { autoJoinOrgs, policyDb, sessionSignInOf } from "./policy";

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
  // One statement: the session is made only for a person who exists and is not disabled (read in
  // the same statement, so a disable racing this sign-in cannot slip between a check and the insert).
  const made = await policyDb(kernel.db)
    .insertInto("sessions")
    .columns(["id", "user_id", "expires_at", "ip", "user_agent", "sign_in_method", "sign_in_provider"])
    .expression((eb) =>
      eb
        .selectFrom("users")
        .select([
          sql<string>`${session.id}::text`.as("id"),
          "users.id",
          sql<Date>`${session.expiresAt}::timestamptz`.as("expires_at"),
          sql<string | null>`${req.ip ?? null}::text`.as("ip"),
          sql<string | null>`${req.userAgent?.slice(0, 300) ?? null}::text`.as("user_agent"),
          sql<string>`${signIn.method}::text`.as("sign_in_method"),
          sql<string | null>`${signIn.provider}::text`.as("sign_in_provider"),
        ])
        .where("users.id", "=", userId)
        .where("users.disabled_at", "is", null),
    )
    .returning("id")
    .executeTakeFirst();
  if (!made) {
    const user = await kernel.db.selectFrom("users").select("disabled_at").where("id", "=", userId).executeTakeFirst();
    if (user?.disabled_at) throw new TRPCError({ code: "FORBIDDEN", message: "This account is disabled. Contact your organization's administrator." });
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign-in failed." });
  }
  req.resHeaders?.append("set-cookie", sessionCookie(token, session.expiresAt, isSecureUrl(kernel.config.publicUrl)));
  await writeAudit(kernel.db, { kind: "user", userId }, { action: "auth.sign_in", data: { method } }, { ip: req.ip, requestId: req.requestId });
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
