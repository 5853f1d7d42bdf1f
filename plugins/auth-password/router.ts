/**
 * `authPassword.*`: sign up, sign in, verify an email address, reset and change a password.
 * Signing out is the kernel's (`auth.signOut`).
 *
 * Public procedures run before anyone is signed in, so they write through the kernel's app
 * connection (`ctx.kernel.db`): users and this plugin's tables are identity tables, not
 * tenant tables. Their audit events go through `writeAudit`; the signed-in ones use
 * `ctx.audit` inside their scoped transaction. No password or link token is ever audited,
 * logged or returned.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { writeAudit } from "~/kernel/audit";
import { invalidateAllSessions } from "~/kernel/auth/session";
import { startSession, type SignInRequest } from "~/kernel/auth/sign-in";
import { resetRateLimit } from "~/kernel/rate-limit";
import { createTRPCRouter, publicProcedure, sessionProcedure, userProcedure, type RequestContext } from "~/kernel/trpc";
import { fieldError } from "~/kernel/errors";
import {
  LIMITS,
  LINK_PROBLEMS,
  assertPassword,
  consumeLinkToken,
  createPasswordUser,
  emailDomain,
  emailSchema,
  emailTaken,
  accountByEmail,
  accountOf,
  enforceLimits,
  enforceLimitsWith,
  findAccountByEmail,
  findAccountById,
  hashPassword,
  issueLinkToken,
  linkUrl,
  markEmailVerified,
  nameSchema,
  needsRehash,
  passwordDb,
  passwordInput,
  resetMail,
  retireLinks,
  setPasswordHash,
  signUpAttemptMail,
  verificationMail,
  verifyAgainstDummy,
  verifyPassword,
} from "./service";
import { safeString } from "~/kernel/schemas";

/** The one answer for a wrong email or a wrong password: it must not tell which. */
export const INCORRECT_CREDENTIALS = "Email or password is incorrect.";
const DISABLED = "This account is disabled. Contact your organization's administrator.";

const signInKey = (email: string) => `signin:acct:${email}`;
const ipKey = (prefix: string, ip: string | null) => (ip ? `${prefix}:ip:${ip}` : null);

function signInRequest(ctx: RequestContext): SignInRequest {
  return { kernel: ctx.kernel, resHeaders: ctx.resHeaders, ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId };
}

/** Operational log lines: ids, domains and reasons only — never an email, password or token. */
function logInfo(ctx: RequestContext, fields: Record<string, unknown>, message: string) {
  ctx.kernel.log.info({ plugin: "auth-password", requestId: ctx.requestId, ...fields }, message);
}

function requestMeta(ctx: RequestContext) {
  return { ip: ctx.ip, requestId: ctx.requestId };
}

const tokenInput = safeString({ message: "The link has no token" }).trim().max(200, "This link is not valid");

export const authPasswordRouter = createTRPCRouter({
  /**
   * Creates an account with a password, mails a verification link (valid 24 hours) and signs
   * the person in; 422 with field `password` when the password breaks a rule. For an address
   * that already has an account the answer is the same ("check your email"): nothing is
   * created, and the account's owner gets a mail saying someone tried (so the form does not
   * tell who has an account).
   */
  signUp: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordInput, name: nameSchema }))
    .mutation(async ({ ctx, input }) => {
      assertPassword("password", input.password, input.email);
      await enforceLimits(
        ctx,
        [
          { key: ipKey("signup", ctx.ip), ...LIMITS.signUpIp },
          { key: `signup:acct:${input.email}`, ...LIMITS.signUpEmail },
        ],
        "sign-ups from your network",
      );
      const db = passwordDb(ctx.kernel.db);
      // Hashed either way, so both answers take as long.
      const passwordHash = await hashPassword(input.password);
      const created = (await emailTaken(db, input.email))
        ? null
        : await ctx.kernel.db.transaction().execute(async (trx) => {
            const user = await createPasswordUser(passwordDb(trx), { email: input.email, name: input.name, passwordHash, verified: false });
            if (!user) return null; // lost a race with another sign-up: the address is taken
            const token = await issueLinkToken(passwordDb(trx), user.id, "verify");
            await ctx.kernel.mailer.send(trx, verificationMail(input.email, input.name, linkUrl(ctx.kernel.config.publicUrl, "/verify-email", token)));
            await writeAudit(
              trx,
              { kind: "user", userId: user.id },
              { action: "auth.sign_up", target: { type: "user", id: user.id }, data: { method: "password" } },
              requestMeta(ctx),
            );
            return user.id;
          });
      if (!created) {
        await ctx.kernel.db.transaction().execute(async (trx) => {
          const account = await findAccountByEmail(passwordDb(trx), input.email);
          if (!account) return;
          const publicUrl = ctx.kernel.config.publicUrl;
          await ctx.kernel.mailer.send(trx, signUpAttemptMail(account.email, `${publicUrl}/sign-in`, `${publicUrl}/forgot-password`));
          await writeAudit(trx, { kind: "anonymous" }, { action: "auth.sign_up_existing", target: { type: "user", id: account.id }, data: { method: "password" } }, requestMeta(ctx));
        });
        logInfo(ctx, { emailDomain: emailDomain(input.email) }, "sign-up for an existing address: its owner was mailed");
        return { checkEmail: true as const };
      }
      await startSession(signInRequest(ctx), created, "password");
      logInfo(ctx, { userId: created }, "account created");
      return { checkEmail: true as const };
    }),

  /**
   * Signs in with email and password: a new session (and cookie) every time. Rate limited
   * per account and per client address before the password is looked at (429 + Retry-After).
   * A wrong email and a wrong password give the same 401; a disabled account 403.
   */
  signIn: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordInput.min(1, "Enter your password") }))
    .mutation(async ({ ctx, input }) => {
      const db = passwordDb(ctx.kernel.db);
      // The limits and the account lookup in one statement (one round trip); over a limit → 429.
      const row = await enforceLimitsWith(
        ctx,
        [
          { key: signInKey(input.email), ...LIMITS.signInAccount },
          { key: ipKey("signin", ctx.ip), ...LIMITS.signInIp },
        ],
        "sign-in attempts",
        accountByEmail(db, input.email),
      );
      const account = row ? accountOf(row) : null;
      const matches = account?.hash ? await verifyPassword(account.hash, input.password) : await verifyAgainstDummy(input.password);
      if (!account || !matches || account.disabled) {
        await writeAudit(
        ctx.kernel.db,
        { kind: "anonymous" },
        {
          action: "auth.sign_in_failed",
          target: account ? { type: "user", id: account.id } : null,
          data: { method: "password", emailDomain: emailDomain(input.email), reason: !account || !matches ? "bad_credentials" : "disabled" },
        },
        requestMeta(ctx),
        );
        logInfo(ctx, { emailDomain: emailDomain(input.email), reason: !account || !matches ? "bad_credentials" : "disabled" }, "password sign-in failed");
        // Only someone who knows the password learns that the account is disabled.
        if (account && matches) throw new TRPCError({ code: "FORBIDDEN", message: DISABLED });
        throw new TRPCError({ code: "UNAUTHORIZED", message: INCORRECT_CREDENTIALS });
      }
      if (needsRehash(account.hash!)) await setPasswordHash(db, account.id, await hashPassword(input.password));
      await startSession(signInRequest(ctx), account.id, "password", { clearRateLimitKey: signInKey(input.email) });
      return { userId: account.id };
    }),

  /** Confirms an email address from the mailed link. Single use; 422 field `token` otherwise. */
  verifyEmail: publicProcedure.input(z.object({ token: tokenInput })).mutation(async ({ ctx, input }) => {
    return ctx.kernel.db.transaction().execute(async (trx) => {
      const link = await consumeLinkToken(passwordDb(trx), input.token, "verify");
      if (!link.ok) throw fieldError("UNPROCESSABLE_CONTENT", "token", LINK_PROBLEMS.verify[link.reason]);
      await markEmailVerified(passwordDb(trx), link.userId);
      await writeAudit(trx, { kind: "user", userId: link.userId }, { action: "auth.email_verified", target: { type: "user", id: link.userId } }, requestMeta(ctx));
      return { ok: true as const };
    });
  }),

  /** Mails a new verification link to the signed-in person (rate limited). */
  resendVerification: userProcedure.mutation(async ({ ctx }) => {
    const db = passwordDb(ctx.db);
    const account = await findAccountById(db, ctx.actor.userId);
    if (!account) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    if (account.emailVerified) {
      await ctx.audit({ action: "auth.verification_resent", target: { type: "user", id: account.id }, data: { sent: false, reason: "already_verified" } });
      return { sent: false, alreadyVerified: true };
    }
    await enforceLimits(ctx, [{ key: `verify:resend:${account.id}`, ...LIMITS.resendVerification }], "verification emails");
    const token = await issueLinkToken(db, account.id, "verify");
    await ctx.kernel.mailer.send(ctx.db, verificationMail(account.email, account.name, linkUrl(ctx.kernel.config.publicUrl, "/verify-email", token)));
    await ctx.audit({ action: "auth.verification_resent", target: { type: "user", id: account.id }, data: { sent: true } });
    return { sent: true, alreadyVerified: false };
  }),

  /**
   * Mails a password reset link (valid 1 hour) when an active account has this email.
   * Always answers `{ ok: true }`, so it tells nobody whether an account exists.
   */
  requestPasswordReset: publicProcedure.input(z.object({ email: emailSchema })).mutation(async ({ ctx, input }) => {
    await enforceLimits(
      ctx,
      [
        { key: `reset:acct:${input.email}`, ...LIMITS.resetEmail },
        { key: ipKey("reset", ctx.ip), ...LIMITS.resetIp },
      ],
      "password reset requests",
    );
    const db = passwordDb(ctx.kernel.db);
    const account = await findAccountByEmail(db, input.email);
    const data = { emailDomain: emailDomain(input.email) };
    if (!account || account.disabled) {
      await writeAudit(ctx.kernel.db, { kind: "anonymous" }, { action: "auth.password_reset_requested", data: { ...data, sent: false } }, requestMeta(ctx));
      return { ok: true as const };
    }
    await ctx.kernel.db.transaction().execute(async (trx) => {
      const token = await issueLinkToken(passwordDb(trx), account.id, "reset");
      await ctx.kernel.mailer.send(trx, resetMail(account.email, linkUrl(ctx.kernel.config.publicUrl, "/reset-password", token)));
      await writeAudit(
        trx,
        { kind: "anonymous" },
        { action: "auth.password_reset_requested", target: { type: "user", id: account.id }, data: { ...data, sent: true } },
        requestMeta(ctx),
      );
    });
    return { ok: true as const };
  }),

  /**
   * Sets a new password from a reset link: single use, 1 hour. Ends every session of the
   * person, marks the email verified (the link proved it) and signs them in afresh.
   * 422 field `token` for a bad link, field `password` for a password that breaks a rule
   * (the link stays usable then).
   */
  resetPassword: publicProcedure.input(z.object({ token: tokenInput, password: passwordInput })).mutation(async ({ ctx, input }) => {
    const { userId, email } = await ctx.kernel.db.transaction().execute(async (trx) => {
      const pdb = passwordDb(trx);
      const link = await consumeLinkToken(pdb, input.token, "reset");
      if (!link.ok) throw fieldError("UNPROCESSABLE_CONTENT", "token", LINK_PROBLEMS.reset[link.reason]);
      const account = await findAccountById(pdb, link.userId);
      if (!account) throw fieldError("UNPROCESSABLE_CONTENT", "token", LINK_PROBLEMS.reset.invalid);
      if (account.disabled) throw new TRPCError({ code: "FORBIDDEN", message: DISABLED });
      assertPassword("password", input.password, account.email); // throwing rolls the link back: still usable
      await setPasswordHash(pdb, account.id, await hashPassword(input.password));
      await markEmailVerified(pdb, account.id);
      await retireLinks(pdb, account.id, "reset");
      const sessionsEnded = await invalidateAllSessions(trx, account.id);
      await writeAudit(
        trx,
        { kind: "user", userId: account.id },
        { action: "auth.password_reset", target: { type: "user", id: account.id }, data: { sessionsEnded } },
        requestMeta(ctx),
      );
      return { userId: account.id, email: account.email };
    });
    // The mailbox proved it is them: lift a sign-in lockout an attacker may have caused.
    await resetRateLimit(ctx.kernel.db, signInKey(email));
    await startSession(signInRequest(ctx), userId, "password_reset");
    logInfo(ctx, { userId }, "password reset");
    return { userId };
  }),

  /**
   * Changes the signed-in person's password. 422 field `currentPassword` when it is wrong,
   * field `newPassword` when the new one breaks a rule. Ends every session of the person,
   * this one included, and starts a fresh one here: every old cookie stops working.
   */
  changePassword: sessionProcedure
    .input(z.object({ currentPassword: passwordInput.min(1, "Enter your current password"), newPassword: passwordInput }))
    .mutation(async ({ ctx, input }) => {
      const userId = ctx.actor.userId;
      await enforceLimits(ctx, [{ key: `pwchange:${userId}`, ...LIMITS.changePassword }], "password change attempts");
      const db = passwordDb(ctx.db);
      const account = await findAccountById(db, userId);
      if (!account) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
      if (!account.hash) {
        throw fieldError("UNPROCESSABLE_CONTENT", "currentPassword", "Your account has no password yet. Use “Forgot password” on the sign-in page to set one.");
      }
      if (!(await verifyPassword(account.hash, input.currentPassword))) {
        throw fieldError("UNPROCESSABLE_CONTENT", "currentPassword", "Your current password is incorrect.");
      }
      assertPassword("newPassword", input.newPassword, account.email);
      if (input.newPassword === input.currentPassword) {
        throw fieldError("UNPROCESSABLE_CONTENT", "newPassword", "Choose a new password that differs from your current one.");
      }
      await setPasswordHash(db, userId, await hashPassword(input.newPassword));
      await retireLinks(db, userId, "reset");
      // Every session, this one too: the old cookie dies, the new session below replaces it.
      const sessionsEnded = await invalidateAllSessions(ctx.db, userId);
      await ctx.audit({ action: "auth.password_changed", target: { type: "user", id: userId }, data: { sessionsEnded } });
      await startSession(signInRequest(ctx), userId, "password_change");
      logInfo(ctx, { userId, sessionsEnded }, "password changed");
      return { ok: true as const };
    }),
});
