/**
 * Personal access tokens: `atr_` + 20 random bytes (base32), shown once; the database keeps
 * their SHA-256. Each is bound to one org, scoped `read` and/or `write`, may expire, and can
 * be revoked. They authenticate the CLI and MCP clients as `Authorization: Bearer`.
 */
import { hash } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import { sql, type Kysely } from "kysely";
import type { KernelDatabase, TokenScope } from "../db/schema";
import type { AuthCache } from "./cache";

export const TOKEN_PREFIX = "atr_";
/** Live tokens (neither revoked nor expired) one person holds at most, across all their orgs. */
export const MAX_LIVE_TOKENS = 100;
/** How long a revoked or expired token stays in its person's list. */
export const ENDED_TOKEN_LISTED_DAYS = 30;
const TOKEN_SHAPE = /^atr_[a-z2-7]{32}$/;

export function generateApiToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return TOKEN_PREFIX + encodeBase32LowerCaseNoPadding(bytes);
}

export function hashApiToken(token: string): string {
  // Node's native one-shot SHA-256: on every authenticated request (a third of createHash's cost).
  return hash("sha256", token, "hex");
}

export type TokenCheck =
  | { ok: true; token: { id: string; userId: string; orgId: string; scopes: TokenScope[]; name: string; createdAt: Date } }
  | { ok: false; reason: "malformed" | "unknown" | "expired" | "revoked" | "disabled" };

interface TokenRow {
  id: string;
  user_id: string;
  org_id: string;
  name: string;
  scopes: TokenScope[];
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  disabled_at: Date | null;
}

async function readToken(db: Kysely<KernelDatabase>, hash: string): Promise<TokenRow | null> {
  const { rows } = await sql<Omit<TokenRow, "disabled_at">>`select id, user_id, org_id, name, scopes, expires_at, revoked_at, created_at from atrium_find_api_token(${hash})`.execute(db);
  const row = rows[0];
  if (!row) return null;
  const user = await db.selectFrom("users").select("disabled_at").where("id", "=", row.user_id).executeTakeFirst();
  return Object.assign({}, row, { disabled_at: user ? user.disabled_at : new Date(0) });
}

/** How often a token's last use is written (at most once a minute per token and instance). */
const TOUCH_EVERY_MS = 60_000;
const touched = new Map<string, number>();

function touch(db: Kysely<KernelDatabase>, tokenId: string): Promise<unknown> | null {
  const now = Date.now();
  if (now - (touched.get(tokenId) ?? 0) < TOUCH_EVERY_MS) return null;
  if (touched.size > 10_000) touched.clear();
  touched.set(tokenId, now);
  return sql`select atrium_touch_api_token(${tokenId}::uuid)`.execute(db);
}

/**
 * Verifies a bearer token. Never treats a bad token as anonymous: the caller answers 401. With
 * `cache` (src/kernel/auth/cache.ts) the lookup is done once per instance until the token, or its
 * person, changes; the last-use time is then written off the request's path.
 */
export async function verifyApiToken(db: Kysely<KernelDatabase>, token: string, cache?: AuthCache): Promise<TokenCheck> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: "malformed" };
  const hash = hashApiToken(token);
  const row = cache
    ? await cache.get(`token:${hash}`, () => readToken(db, hash), (r) => [`t:${r!.id}`, `u:${r!.user_id}`])
    : await readToken(db, hash);
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revoked_at) return { ok: false, reason: "revoked" };
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return { ok: false, reason: "expired" };
  if (row.disabled_at) return { ok: false, reason: "disabled" };
  const touching = touch(db, row.id);
  if (touching) {
    if (cache?.listening) touching.catch(() => {});
    else await touching;
  }
  return { ok: true, token: { id: row.id, userId: row.user_id, orgId: row.org_id, scopes: row.scopes, name: row.name, createdAt: row.created_at } };
}
