/**
 * The one way any sign-in method (password, OIDC, GitHub …) turns a verified person into a
 * browser session: a new token every time, the cookie set on the response, an audit event.
 */
import { TRPCError } from "@trpc/server";
import { writeAudit } from "../audit";
import type { Kernel } from "../kernel";
import { createSession, generateSessionToken, invalidateSession, sessionCookie, clearedSessionCookie } from "./session";
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
  const user = await kernel.db.selectFrom("users").select(["id", "disabled_at"]).where("id", "=", userId).executeTakeFirst();
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign-in failed." });
  if (user.disabled_at) throw new TRPCError({ code: "FORBIDDEN", message: "This account is disabled. Contact your organization's administrator." });
  const token = generateSessionToken();
  const session = await createSession(kernel.db, token, userId, { ip: req.ip, userAgent: req.userAgent });
  const signIn = sessionSignInOf(method, via.provider);
  await policyDb(kernel.db)
    .updateTable("sessions")
    .set({ sign_in_method: signIn.method, sign_in_provider: signIn.provider })
    .where("id", "=", session.id)
    .execute();
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
