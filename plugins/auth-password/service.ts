/**
 * The password provider's work: password rules and argon2id hashing, single-use mail links
 * (verify an address, reset a password), accounts, rate limits and the mails it sends.
 * The router and the CLI both call these, so the rules are the same everywhere.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { TRPCError } from "@trpc/server";
import type { ColumnType, Expression, Generated, Kysely } from "kysely";
import { z } from "zod";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Logger } from "~/kernel/log";
import type { MailMessage } from "~/kernel/mail";
import { hashSecret, needsRehash, verifySecret } from "~/kernel/auth/password-hash";
import { hitRateLimits, hitRateLimitsWith } from "~/kernel/rate-limit";
import { fieldError } from "~/kernel/errors";
import { isCommonPassword } from "./common-passwords";
import { safeString } from "~/kernel/schemas";

/* ----------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------- */

export type LinkKind = "verify" | "reset";

export type AuthPasswordTables = {
  auth_password_credentials: {
    user_id: string;
    hash: string;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  auth_password_tokens: {
    id: Generated<string>;
    user_id: string;
    kind: LinkKind;
    token_hash: string;
    expires_at: ColumnType<Date, Date | string, Date | string>;
    used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

export type PasswordDb = Kysely<KernelDatabase & AuthPasswordTables>;

/** The kernel's tables plus this plugin's, on the same connection or transaction. */
export function passwordDb(db: Kysely<KernelDatabase>): PasswordDb {
  return db.withTables<AuthPasswordTables>();
}

/* ----------------------------------------------------------------------------------------
 * Input rules
 * ------------------------------------------------------------------------------------- */

/** An email address, trimmed and lower-cased. */
export const emailSchema = safeString({ message: "Enter your email address" })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address")
  .max(254, "An email address has at most 254 characters")
  .pipe(z.email({ message: "Enter a valid email address, like name@example.com" }));

export const nameSchema = safeString({ message: "Enter your name" })
  .trim()
  .min(1, "Enter your name")
  .max(100, "Use at most 100 characters for your name");

export const PASSWORD_MIN_LENGTH = 10;
/**
 * At most 200 characters (code points): far beyond any passphrase, and a bound on the work a
 * request can ask for (argon2id has no 72-byte cut as bcrypt does, so the limit is ours).
 */
export const PASSWORD_MAX_LENGTH = 200;

/**
 * What tRPC accepts as a password before the rules run. The rules themselves
 * (passwordProblem) need the email, so they run in the procedure and answer with a field error.
 * zod counts UTF-16 units and a character takes at most two, so this lets every password of
 * up to 200 characters through to the rules and refuses longer input with the same message.
 */
export const passwordInput = safeString({ message: "Enter a password" }).max(2 * PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

/** Why `password` is not acceptable for the account `email`, or null when it is. */
export function passwordProblem(password: string, email: string | null): string | null {
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (chars.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (new Set(chars).size === 1) return "Use more than one distinct character.";
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) return "Your password cannot be your email address.";
  if (isCommonPassword(password)) return "This password is one of the most common ones; choose something harder to guess.";
  return null;
}

/** 422 with a field error when `password` breaks a rule. */
export function assertPassword(field: string, password: string, email: string | null): void {
  const problem = passwordProblem(password, email);
  if (problem) throw fieldError("UNPROCESSABLE_CONTENT", field, problem);
}

/** The domain of an email, the only part of it that goes into the audit log of failures. */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf("@");
  return at >= 0 ? email.slice(at + 1) : "";
}

/* ----------------------------------------------------------------------------------------
 * Hashing: argon2id, NFKC, bounded concurrency (src/kernel/auth/password-hash.ts)
 * ------------------------------------------------------------------------------------- */

// Under this plugin's names; `verifyPassword` is false for a wrong password and for a malformed stored hash.
export { hashSecret as hashPassword, verifySecret as verifyPassword, needsRehash };

let dummyHash: Promise<string> | null = null;

/** A hash of a random password with today's parameters, made once per process. */
export function warmDummyHash(): Promise<string> {
  dummyHash ??= hashSecret(encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20))));
  return dummyHash;
}

/** Spends the time a real check would when there is no account, so timing tells nothing. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifySecret(await warmDummyHash(), password);
  return false;
}

/* ----------------------------------------------------------------------------------------
 * Accounts
 * ------------------------------------------------------------------------------------- */

export interface PasswordAccount {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  disabled: boolean;
  /** The argon2id hash, or null when this person signs in another way only. */
  hash: string | null;
}

function accountQuery(db: PasswordDb) {
  return db
    .selectFrom("users")
    .leftJoin("auth_password_credentials as c", "c.user_id", "users.id")
    .select(["users.id", "users.email", "users.name", "users.email_verified_at", "users.disabled_at", "c.hash"]);
}

/** A row of {@link accountByEmail} (or the account query) as the account the router works with. */
export function accountOf(row: { id: string; email: string; name: string; email_verified_at: Date | null; disabled_at: Date | null; hash: string | null }): PasswordAccount {
  return { id: row.id, email: row.email, name: row.name, emailVerified: row.email_verified_at !== null, disabled: row.disabled_at !== null, hash: row.hash };
}

export async function findAccountByEmail(db: PasswordDb, email: string): Promise<PasswordAccount | null> {
  const row = await accountByEmail(db, email).executeTakeFirst();
  return row ? accountOf(row) : null;
}

/** The select {@link findAccountByEmail} runs, to send with other work (a sign-in's limits). */
export function accountByEmail(db: PasswordDb, email: string) {
  return accountQuery(db).where("users.email", "=", email);
}

export async function findAccountById(db: PasswordDb, userId: string): Promise<PasswordAccount | null> {
  const row = await accountQuery(db).where("users.id", "=", userId).executeTakeFirst();
  return row ? accountOf(row) : null;
}

export async function emailTaken(db: PasswordDb, email: string): Promise<boolean> {
  return !!(await db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst());
}

/** Creates a person with a password. Null when the email is taken (also under a race). */
export async function createPasswordUser(
  db: PasswordDb,
  input: { email: string; name: string; passwordHash: string; verified: boolean },
): Promise<{ id: string } | null> {
  const user = await db
    .insertInto("users")
    .values({ email: input.email, name: input.name, email_verified_at: input.verified ? new Date() : null })
    .onConflict((oc) => oc.column("email").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!user) return null;
  await setPasswordHash(db, user.id, input.passwordHash);
  return user;
}

export async function setPasswordHash(db: PasswordDb, userId: string, passwordHash: string): Promise<void> {
  await db
    .insertInto("auth_password_credentials")
    .values({ user_id: userId, hash: passwordHash, updated_at: new Date() })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ hash: passwordHash, updated_at: new Date() }))
    .execute();
}

export async function markEmailVerified(db: PasswordDb, userId: string): Promise<void> {
  await db
    .updateTable("users")
    .set((eb) => ({ email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(new Date())), updated_at: new Date() }))
    .where("id", "=", userId)
    .execute();
}

/* ----------------------------------------------------------------------------------------
 * Mail links: 20 random bytes (base32) in the link, SHA-256 in the database, single use.
 * ------------------------------------------------------------------------------------- */

const HOUR = 60 * 60 * 1000;
export const LINK_LIFETIME_MS: Record<LinkKind, number> = { verify: 24 * HOUR, reset: HOUR };
const LINK_TOKEN_SHAPE = /^[a-z2-7]{32}$/;

export function generateLinkToken(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

export function hashLinkToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Stores a new link for `userId` and returns its token (to be mailed, never stored). */
export async function issueLinkToken(db: PasswordDb, userId: string, kind: LinkKind): Promise<string> {
  const token = generateLinkToken();
  await db
    .insertInto("auth_password_tokens")
    .values({ user_id: userId, kind, token_hash: hashLinkToken(token), expires_at: new Date(Date.now() + LINK_LIFETIME_MS[kind]) })
    .execute();
  return token;
}

export type LinkCheck = { ok: true; userId: string } | { ok: false; reason: "invalid" | "used" | "expired" };

/** Uses a link once: atomically marks it used, or says why it cannot be used. */
export async function consumeLinkToken(db: PasswordDb, token: string, kind: LinkKind): Promise<LinkCheck> {
  if (!LINK_TOKEN_SHAPE.test(token)) return { ok: false, reason: "invalid" };
  const tokenHash = hashLinkToken(token);
  const now = new Date();
  const used = await db
    .updateTable("auth_password_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("kind", "=", kind)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning("user_id")
    .executeTakeFirst();
  if (used) return { ok: true, userId: used.user_id };
  const row = await db
    .selectFrom("auth_password_tokens")
    .select(["used_at"])
    .where("token_hash", "=", tokenHash)
    .where("kind", "=", kind)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: "invalid" };
  return { ok: false, reason: row.used_at ? "used" : "expired" };
}

/** Retires every unused link of a kind (after a reset, older reset links must not work). */
export async function retireLinks(db: PasswordDb, userId: string, kind: LinkKind): Promise<void> {
  await db
    .updateTable("auth_password_tokens")
    .set({ used_at: new Date() })
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .where("used_at", "is", null)
    .execute();
}

export const LINK_PROBLEMS: Record<LinkKind, Record<"invalid" | "used" | "expired", string>> = {
  verify: {
    invalid: "This verification link is not valid. Check that you copied the whole link, or send yourself a new one.",
    used: "This verification link has already been used. Sign in, or send yourself a new link.",
    expired: "This verification link has expired (links last 24 hours). Sign in and send yourself a new one.",
  },
  reset: {
    invalid: "This password reset link is not valid. Check that you copied the whole link, or ask for a new one.",
    used: "This password reset link has already been used. Ask for a new one if you still need it.",
    expired: "This password reset link has expired (links last 1 hour). Ask for a new one.",
  },
};

export function linkUrl(publicUrl: string, path: "/verify-email" | "/reset-password", token: string): string {
  return `${publicUrl}${path}?token=${encodeURIComponent(token)}`;
}

export function verificationMail(to: string, name: string, url: string): MailMessage {
  return {
    to,
    subject: "Confirm your email address for Atrium",
    text: [
      `Hi${name ? ` ${name}` : ""},`,
      "",
      "Please confirm that this is your email address by opening this link within 24 hours:",
      "",
      url,
      "",
      "If you did not create an Atrium account, you can ignore this message.",
    ].join("\n"),
  };
}

/** To the owner of an address someone tried to sign up with: nothing changed, here is what to do. */
export function signUpAttemptMail(to: string, signInUrl: string, resetUrl: string): MailMessage {
  return {
    to,
    subject: "Someone tried to create an Atrium account with your email address",
    text: [
      "Someone (hopefully you) tried to create an Atrium account with this email address, which already has one.",
      "Nothing was changed and no new account was created.",
      "",
      "If it was you, sign in instead:",
      "",
      signInUrl,
      "",
      "Forgot your password? Choose a new one here:",
      "",
      resetUrl,
      "",
      "If it was not you, you can ignore this message: your account stays as it is.",
    ].join("\n"),
  };
}

export function resetMail(to: string, url: string): MailMessage {
  return {
    to,
    subject: "Reset your Atrium password",
    text: [
      "Someone (hopefully you) asked to reset the password of your Atrium account.",
      "",
      "Open this link within 1 hour to choose a new password. It works once:",
      "",
      url,
      "",
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
  };
}

/* ----------------------------------------------------------------------------------------
 * Rate limits
 * ------------------------------------------------------------------------------------- */

export interface Limit {
  limit: number;
  windowSeconds: number;
}

export const LIMITS = {
  signInAccount: { limit: 10, windowSeconds: 15 * 60 },
  signInIp: { limit: 50, windowSeconds: 15 * 60 },
  signUpIp: { limit: 30, windowSeconds: 60 * 60 },
  /** Per address, whether or not it has an account (so its owner cannot be mail-bombed). */
  signUpEmail: { limit: 5, windowSeconds: 60 * 60 },
  resetEmail: { limit: 5, windowSeconds: 60 * 60 },
  resetIp: { limit: 20, windowSeconds: 60 * 60 },
  resendVerification: { limit: 5, windowSeconds: 60 * 60 },
  changePassword: { limit: 10, windowSeconds: 15 * 60 },
} satisfies Record<string, Limit>;

/** "in 42 seconds", "in 15 minutes", "in 1 hour". */
export function retryIn(seconds: number): string {
  if (seconds < 60) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.ceil(minutes / 60);
  return `in ${hours} hour${hours === 1 ? "" : "s"}`;
}

/**
 * Counts one hit on every key (`null` keys, e.g. an unknown client address, are skipped);
 * over any limit → 429 with `Retry-After` set and a message saying when to try again.
 * Counters live outside any request transaction (the kernel's connection), so a call that
 * fails still counts. Logs which limit was reached, never the key (it may hold an email).
 */
export async function enforceLimits(
  ctx: LimitContext,
  checks: Array<{ key: string | null } & Limit>,
  what: string,
): Promise<void> {
  const reached: Array<{ key: string; retryAfterSeconds: number }> = [];
  // One statement per window length (a sign-in's two checks share one).
  const byWindow = new Map<number, Array<{ key: string; limit: number }>>();
  for (const check of checks) {
    if (!check.key) continue;
    const group = byWindow.get(check.windowSeconds) ?? [];
    group.push({ key: check.key, limit: check.limit * ctx.kernel.config.rateLimitScale });
    byWindow.set(check.windowSeconds, group);
  }
  for (const [windowSeconds, group] of byWindow) {
    const results = await hitRateLimits(ctx.kernel.db, group, windowSeconds);
    results.forEach((result, i) => {
      if (!result.allowed) reached.push({ key: group[i]!.key, retryAfterSeconds: result.retryAfterSeconds });
    });
  }
  refuseIfReached(ctx, reached, what);
}

/**
 * {@link enforceLimits} for checks that share one window, with `read` (a select of at most one
 * row) in the same statement: one round trip for a sign-in's limits and its account lookup.
 * Resolves with the row once the limits allow the call.
 */
export async function enforceLimitsWith<R extends object>(
  ctx: LimitContext,
  checks: Array<{ key: string | null } & Limit>,
  what: string,
  read: Expression<R>,
): Promise<R | null> {
  const counted = checks.filter((check): check is { key: string } & Limit => check.key !== null);
  const windowSeconds = counted[0]?.windowSeconds ?? 0;
  if (counted.some((check) => check.windowSeconds !== windowSeconds)) throw new Error("enforceLimitsWith: every check must share one window");
  const group = counted.map((check) => ({ key: check.key, limit: check.limit * ctx.kernel.config.rateLimitScale }));
  const { results, row } = await hitRateLimitsWith(ctx.kernel.db, group, windowSeconds, read);
  refuseIfReached(
    ctx,
    results.flatMap((result, i) => (result.allowed ? [] : [{ key: group[i]!.key, retryAfterSeconds: result.retryAfterSeconds }])),
    what,
  );
  return row;
}

type LimitContext = { kernel: { db: Kysely<KernelDatabase>; log: Logger; config: { rateLimitScale: number } }; resHeaders: Headers | null; requestId?: string };

/** 429 with `Retry-After` when any limit was reached; logs which (never the key: it may hold an email). */
function refuseIfReached(ctx: LimitContext, reached: ReadonlyArray<{ key: string; retryAfterSeconds: number }>, what: string): void {
  if (!reached.length) return;
  const retryAfter = Math.max(...reached.map((r) => r.retryAfterSeconds));
  ctx.kernel.log.warn(
    { plugin: "auth-password", limits: reached.map((r) => r.key.split(":").slice(0, 2).join(":")), retryAfterSeconds: retryAfter, requestId: ctx.requestId },
    "rate limit reached",
  );
  ctx.resHeaders?.set("Retry-After", String(retryAfter));
  throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many ${what}. Try again ${retryIn(retryAfter)}.` });
}
