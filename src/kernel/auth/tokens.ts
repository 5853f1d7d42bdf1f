/**
 * Personal access tokens: `atr_` + 20 random bytes (base32), shown once; the database keeps
 * their SHA-256. Each is bound to one org, scoped `read` and/or `write`, may expire, and can
 * be revoked. They authenticate the CLI and MCP clients as `Authorization: Bearer`.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { sql, type Kysely } from "kysely";
import type { KernelDatabase, TokenScope } from "../db/schema";

export const TOKEN_PREFIX = "atr_";
const TOKEN_SHAPE = /^atr_[a-z2-7]{32}$/;

export function generateApiToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return TOKEN_PREFIX + encodeBase32LowerCaseNoPadding(bytes);
}

export function hashApiToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export type TokenCheck =
  | { ok: true; token: { id: string; userId: string; orgId: string; scopes: TokenScope[]; name: string } }
  | { ok: false; reason: "malformed" | "unknown" | "expired" | "revoked" | "disabled" };

/** Verifies a bearer token. Never treats a bad token as anonymous: the caller answers 401. */
export async function verifyApiToken(db: Kysely<KernelDatabase>, token: string): Promise<TokenCheck> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: "malformed" };
  const { rows } = await sql<{
    id: string;
    user_id: string;
    org_id: string;
    name: string;
    scopes: TokenScope[];
    expires_at: Date | null;
    revoked_at: Date | null;
  }>`select id, user_id, org_id, name, scopes, expires_at, revoked_at from atrium_find_api_token(${hashApiToken(token)})`.execute(db);
  const row = rows[0];
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revoked_at) return { ok: false, reason: "revoked" };
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return { ok: false, reason: "expired" };
  const user = await db.selectFrom("users").select("disabled_at").where("id", "=", row.user_id).executeTakeFirst();
  if (!user || user.disabled_at) return { ok: false, reason: "disabled" };
  await sql`select atrium_touch_api_token(${row.id}::uuid)`.execute(db);
  return { ok: true, token: { id: row.id, userId: row.user_id, orgId: row.org_id, scopes: row.scopes, name: row.name } };
}
