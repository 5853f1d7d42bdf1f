/**
 * Sessions, following the Lucia guide (lucia-auth.com, "Sessions"): a random token goes to the
 * browser in a cookie; the database keeps only its SHA-256, so a database leak yields no
 * usable session. Sessions last 30 days and slide forward while in use.
 */
import { hash } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "../db/schema";
import type { AuthCache } from "./cache";

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY;
/** Extend a session when less than this much of its lifetime is left. */
const RENEW_WITHIN_MS = 15 * DAY;
/** Live sessions one person keeps at most: signing in ends the least recently seen beyond them (src/kernel/auth/sign-in.ts). */
export const MAX_LIVE_SESSIONS = 100;

export interface Session {
  id: string;
  userId: string;
  expiresAt: Date;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
}

export type SessionValidationResult = { session: Session; user: SessionUser; fresh: boolean } | { session: null; user: null; fresh: false };

/** 20 random bytes, base32: the token the browser holds. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The id stored for a token: hex SHA-256. */
export function sessionIdOf(token: string): string {
  // Node's native one-shot SHA-256: on every authenticated request (a third of createHash's cost).
  return hash("sha256", token, "hex");
}

export async function createSession(
  db: Kysely<KernelDatabase>,
  token: string,
  userId: string,
  meta: { ip?: string | null; userAgent?: string | null } = {},
): Promise<Session> {
  const session: Session = { id: sessionIdOf(token), userId, expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS) };
  await db
    .insertInto("sessions")
    .values({ id: session.id, user_id: userId, expires_at: session.expiresAt, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 300) ?? null })
    .execute();
  return session;
}

type SessionRow = {
  id: string;
  user_id: string;
  expires_at: Date;
  last_seen_at: Date;
  email: string;
  name: string;
  email_verified_at: Date | null;
  disabled_at: Date | null;
};

function readSession(db: Kysely<KernelDatabase>, id: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["sessions.id", "sessions.user_id", "sessions.expires_at", "sessions.last_seen_at", "users.email", "users.name", "users.email_verified_at", "users.disabled_at"])
    .where("sessions.id", "=", id)
    .executeTakeFirst();
}

/**
 * The session and user for a token, or nulls. Deletes an expired session; extends one that
 * is past half its life (`fresh: true` tells the caller to re-send the cookie). With `cache`
 * (src/kernel/auth/cache.ts) the row is read once per instance until the session, or its
 * person, changes.
 */
export async function validateSessionToken(db: Kysely<KernelDatabase>, token: string, cache?: AuthCache): Promise<SessionValidationResult> {
  const id = sessionIdOf(token);
  const key = `session:${id}`;
  const row = cache ? await cache.get(key, () => readSession(db, id), (r) => [`s:${id}`, `u:${r!.user_id}`]) : await readSession(db, id);
  if (!row) return { session: null, user: null, fresh: false };
  const now = Date.now();
  if (now >= row.expires_at.getTime() || row.disabled_at) {
    await db.deleteFrom("sessions").where("id", "=", id).execute();
    return { session: null, user: null, fresh: false };
  }
  const session: Session = { id: row.id, userId: row.user_id, expiresAt: row.expires_at };
  let fresh = false;
  if (now >= row.expires_at.getTime() - RENEW_WITHIN_MS) {
    session.expiresAt = new Date(now + SESSION_LIFETIME_MS);
    fresh = true;
    await db.updateTable("sessions").set({ expires_at: session.expiresAt, last_seen_at: new Date() }).where("id", "=", id).execute();
  } else if (now - row.last_seen_at.getTime() > 5 * 60_000) {
    // Record activity at most every five minutes: cheap, and good enough for "last seen".
    const seen = new Date();
    cache?.update<SessionRow | undefined>(key, (r) => r && Object.assign({}, r, { last_seen_at: seen }));
    await db.updateTable("sessions").set({ last_seen_at: seen }).where("id", "=", id).execute();
  }
  return {
    session,
    user: { id: row.user_id, email: row.email, name: row.name, emailVerified: row.email_verified_at !== null },
    fresh,
  };
}

export async function invalidateSession(db: Kysely<KernelDatabase>, sessionId: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
}

/** Signs a user out everywhere (password change, disabled account), optionally but one session. */
export async function invalidateAllSessions(db: Kysely<KernelDatabase>, userId: string, exceptSessionId?: string): Promise<number> {
  let q = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (exceptSessionId) q = q.where("id", "!=", exceptSessionId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export const SESSION_COOKIE = "atrium_session";

/** `Set-Cookie` for a session token: HttpOnly, SameSite=Lax, Secure on https. */
export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

/** The session token from a Cookie header, if well-formed. */
export function readSessionCookie(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) {
      const value = rest.join("=");
      return /^[a-z2-7]{32}$/.test(value) ? value : null;
    }
  }
  return null;
}
