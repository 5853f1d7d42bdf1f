/**
 * The authorization server's logic, no HTTP: authorization requests waiting for consent, the
 * person's decision (a grant and a one-minute code), the token endpoint's two grants
 * (authorization code with PKCE S256, rotating refresh tokens whose reuse revokes the grant),
 * revocation, and verifying an access token for the resource it was issued to.
 */
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { OAuthProblem, type ClientRow } from "./clients";
import {
  ACCESS_TOKEN_PREFIX,
  ACCESS_TOKEN_SECONDS,
  CODE_PREFIX,
  CODE_SECONDS,
  REFRESH_TOKEN_PREFIX,
  REFRESH_TOKEN_SECONDS,
  REQUEST_PREFIX,
  REQUEST_SECONDS,
  hashSecret,
  newSecret,
  verifyPkce,
} from "./secrets";
import { mcpOauthDb, type AgentsAllowed, type GrantScope, type McpOauthDb } from "./tables";

export const SCOPES: readonly GrantScope[] = ["read", "write"];

/** A grant as the definer function returns it (no tenant scope needed). */
export interface GrantRow {
  id: string;
  org_id: string;
  user_id: string;
  client_pk: string;
  scopes: GrantScope[];
  project_ids: string[] | null;
  resource: string;
  extra_resources: string[];
  revoked_at: Date | null;
  agents: AgentsAllowed;
}

/** Whether tokens of this grant are good at `resource` (RFC 8707 audience). */
export function grantCovers(grant: Pick<GrantRow, "resource" | "extra_resources">, resource: string): boolean {
  return grant.resource === resource || grant.extra_resources.includes(resource);
}

export async function findGrant(db: Kysely<KernelDatabase>, grantId: string): Promise<GrantRow | null> {
  const { rows } = await sql<GrantRow>`select * from mcp_oauth_find_grant(${grantId}::uuid)`.execute(db);
  return rows[0] ?? null;
}

/** The org's "AI agents allowed" setting, readable before any tenant scope (write when never set). */
export async function agentsAllowedIn(db: Kysely<KernelDatabase>, orgId: string): Promise<AgentsAllowed> {
  const { rows } = await sql<{ agents: AgentsAllowed }>`select mcp_oauth_agents_setting(${orgId}::uuid) as agents`.execute(db);
  return rows[0]?.agents ?? "write";
}

export async function revokeGrant(db: Kysely<KernelDatabase>, grantId: string, reason: string): Promise<void> {
  await sql`select mcp_oauth_revoke_grant(${grantId}::uuid, ${reason})`.execute(db);
}

/** The scopes a request asks for: known ones only; none asked means `read`. */
export function parseScopes(scope: string | null): GrantScope[] {
  const asked = (scope ?? "").split(/\s+/).filter(Boolean);
  const unknown = asked.filter((s) => !SCOPES.includes(s as GrantScope));
  if (unknown.length) throw new OAuthProblem("invalid_scope", `Unknown scope "${unknown[0]!.slice(0, 40)}": Atrium's scopes are read and write.`);
  return asked.length ? SCOPES.filter((s) => asked.includes(s)) : ["read"];
}

/** Stores an authorization request until its person decides (10 minutes); returns its id. */
export async function createAuthorizationRequest(
  db: McpOauthDb,
  input: { client: ClientRow; redirectUri: string; codeChallenge: string; scopes: GrantScope[]; resource: string; state: string | null },
): Promise<string> {
  const id = newSecret(REQUEST_PREFIX);
  await db.deleteFrom("mcp_oauth_requests").where("expires_at", "<", new Date()).execute();
  await db
    .insertInto("mcp_oauth_requests")
    .values({
      id,
      client_pk: input.client.id,
      redirect_uri: input.redirectUri,
      code_challenge: input.codeChallenge,
      scopes: input.scopes,
      resource: input.resource,
      state: input.state,
      expires_at: new Date(Date.now() + REQUEST_SECONDS * 1000),
    })
    .execute();
  return id;
}

export async function pendingRequest(db: McpOauthDb, requestId: string) {
  const row = await db
    .selectFrom("mcp_oauth_requests as r")
    .innerJoin("mcp_oauth_clients as c", "c.id", "r.client_pk")
    .select(["r.id", "r.redirect_uri", "r.code_challenge", "r.scopes", "r.resource", "r.state", "r.expires_at", "c.id as client_pk", "c.client_id", "c.client_name", "c.kind", "c.redirect_uris", "c.client_uri"])
    .where("r.id", "=", requestId)
    .executeTakeFirst();
  if (!row || row.expires_at.getTime() <= Date.now()) return null;
  return row;
}

/** The redirect URI with the answer's parameters (and the issuer, RFC 9207) added. */
export function redirectWith(redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/** Records the person's approval as a grant and returns a one-minute code for it. */
export async function approveRequest(
  db: McpOauthDb,
  request: NonNullable<Awaited<ReturnType<typeof pendingRequest>>>,
  decision: { userId: string; orgId: string; scopes: GrantScope[]; projectIds: string[] | null },
): Promise<{ code: string; grantId: string }> {
  const grant = await db
    .insertInto("mcp_oauth_grants")
    .values({
      org_id: decision.orgId,
      user_id: decision.userId,
      client_pk: request.client_pk,
      scopes: decision.scopes,
      project_ids: decision.projectIds,
      resource: request.resource,
      last_used_at: null,
      revoked_at: null,
      revoked_reason: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const code = newSecret(CODE_PREFIX);
  await db
    .insertInto("mcp_oauth_codes")
    .values({
      code_hash: hashSecret(code),
      grant_id: grant.id,
      redirect_uri: request.redirect_uri,
      code_challenge: request.code_challenge,
      expires_at: new Date(Date.now() + CODE_SECONDS * 1000),
      used_at: null,
    })
    .execute();
  await db.deleteFrom("mcp_oauth_requests").where("id", "=", request.id).execute();
  return { code, grantId: grant.id };
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** A fresh access token (1 h) and refresh token (30 days) for a grant. */
export async function issueTokens(db: McpOauthDb, grant: GrantRow): Promise<TokenResponse> {
  const access = newSecret(ACCESS_TOKEN_PREFIX);
  const refresh = newSecret(REFRESH_TOKEN_PREFIX);
  const now = Date.now();
  await db
    .insertInto("mcp_oauth_tokens")
    .values([
      { grant_id: grant.id, kind: "access", token_hash: hashSecret(access), expires_at: new Date(now + ACCESS_TOKEN_SECONDS * 1000), rotated_at: null, revoked_at: null },
      { grant_id: grant.id, kind: "refresh", token_hash: hashSecret(refresh), expires_at: new Date(now + REFRESH_TOKEN_SECONDS * 1000), rotated_at: null, revoked_at: null },
    ])
    .execute();
  return { access_token: access, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, refresh_token: refresh, scope: effectiveScopes(grant).join(" ") };
}

/** The grant's scopes as the org's setting leaves them (read-only agents keep `read`). */
export function effectiveScopes(grant: Pick<GrantRow, "scopes" | "agents">, serverReadOnly = false): GrantScope[] {
  if (grant.agents === "off") return [];
  if (grant.agents === "read" || serverReadOnly) return ["read"];
  return grant.scopes;
}

function checkResource(grant: GrantRow, resource: string | null): void {
  if (resource !== null && !grantCovers(grant, resource)) throw new OAuthProblem("invalid_target", "The resource is not the one this grant was issued for.");
}

/** grant_type=authorization_code: single-use code, same client and redirect URI, PKCE S256. */
export async function exchangeCode(
  kernelDb: Kysely<KernelDatabase>,
  client: ClientRow,
  input: { code: string; redirectUri: string | null; codeVerifier: string | null; resource: string | null },
): Promise<TokenResponse> {
  const db = mcpOauthDb(kernelDb);
  const codeHash = hashSecret(input.code);
  const row = await db.selectFrom("mcp_oauth_codes").selectAll().where("code_hash", "=", codeHash).executeTakeFirst();
  if (!row) throw new OAuthProblem("invalid_grant", "The authorization code is not valid.");
  const grant = await findGrant(kernelDb, row.grant_id);
  if (!grant || grant.client_pk !== client.id) throw new OAuthProblem("invalid_grant", "The authorization code is not valid.");
  // Spend it first: a second use (replay) revokes everything the code led to (RFC 6749 §4.1.2).
  const spent = await db.updateTable("mcp_oauth_codes").set({ used_at: new Date() }).where("code_hash", "=", codeHash).where("used_at", "is", null).returning("code_hash").executeTakeFirst();
  if (!spent) {
    await revokeGrant(kernelDb, grant.id, "authorization code reused");
    throw new OAuthProblem("invalid_grant", "The authorization code was already used; the tokens it gave are revoked.");
  }
  if (row.expires_at.getTime() <= Date.now()) throw new OAuthProblem("invalid_grant", "The authorization code has expired.");
  if (grant.revoked_at) throw new OAuthProblem("invalid_grant", "This connection was revoked.");
  if (input.redirectUri !== row.redirect_uri) throw new OAuthProblem("invalid_grant", "redirect_uri does not match the one of the authorization request.");
  if (!input.codeVerifier || !verifyPkce(input.codeVerifier, row.code_challenge)) throw new OAuthProblem("invalid_grant", "PKCE verification failed: code_verifier does not match the code_challenge.");
  checkResource(grant, input.resource);
  if (grant.agents === "off") throw new OAuthProblem("access_denied", "AI agents are turned off in this organization.", 403);
  return issueTokens(db, grant);
}

/** grant_type=refresh_token: a refresh token works once; presenting a spent one revokes the grant. */
export async function refreshTokens(kernelDb: Kysely<KernelDatabase>, client: ClientRow, input: { refreshToken: string; resource: string | null }): Promise<TokenResponse> {
  const db = mcpOauthDb(kernelDb);
  const tokenHash = hashSecret(input.refreshToken);
  const row = await db.selectFrom("mcp_oauth_tokens").selectAll().where("token_hash", "=", tokenHash).where("kind", "=", "refresh").executeTakeFirst();
  if (!row) throw new OAuthProblem("invalid_grant", "The refresh token is not valid.");
  const grant = await findGrant(kernelDb, row.grant_id);
  if (!grant || grant.client_pk !== client.id) throw new OAuthProblem("invalid_grant", "The refresh token is not valid.");
  if (row.revoked_at || grant.revoked_at) throw new OAuthProblem("invalid_grant", "The refresh token was revoked.");
  const rotated = await db.updateTable("mcp_oauth_tokens").set({ rotated_at: new Date() }).where("id", "=", row.id).where("rotated_at", "is", null).returning("id").executeTakeFirst();
  if (!rotated) {
    // A rotated token presented again: stolen, or a client bug. Either way the family ends.
    await revokeGrant(kernelDb, grant.id, "refresh token reused");
    throw new OAuthProblem("invalid_grant", "The refresh token was already used; every token of this connection is revoked.");
  }
  if (row.expires_at.getTime() <= Date.now()) throw new OAuthProblem("invalid_grant", "The refresh token has expired.");
  checkResource(grant, input.resource);
  if (grant.agents === "off") throw new OAuthProblem("access_denied", "AI agents are turned off in this organization.", 403);
  return issueTokens(db, grant);
}

/**
 * RFC 7009: revokes a token of this client (a refresh token ends the whole grant, an access
 * token only itself). Unknown tokens and other clients' tokens are ignored, as the RFC says.
 */
export async function revokeToken(kernelDb: Kysely<KernelDatabase>, client: ClientRow, token: string): Promise<void> {
  const db = mcpOauthDb(kernelDb);
  const row = await db.selectFrom("mcp_oauth_tokens").selectAll().where("token_hash", "=", hashSecret(token)).executeTakeFirst();
  if (!row) return;
  const grant = await findGrant(kernelDb, row.grant_id);
  if (!grant || grant.client_pk !== client.id) return;
  if (row.kind === "refresh") await revokeGrant(kernelDb, grant.id, "revoked by the client");
  else await db.updateTable("mcp_oauth_tokens").set({ revoked_at: new Date() }).where("id", "=", row.id).where("revoked_at", "is", null).execute();
}

export type AccessCheck =
  | { ok: true; grant: GrantRow }
  | { ok: false; reason: string };

/** An access token presented to `resource`: known, live, not revoked, and issued for that resource. */
export async function verifyAccessToken(kernelDb: Kysely<KernelDatabase>, token: string, resource: string): Promise<AccessCheck> {
  const db = mcpOauthDb(kernelDb);
  const row = await db.selectFrom("mcp_oauth_tokens").select(["grant_id", "expires_at", "revoked_at", "kind"]).where("token_hash", "=", hashSecret(token)).executeTakeFirst();
  if (!row || row.kind !== "access") return { ok: false, reason: "The access token is unknown" };
  if (row.revoked_at) return { ok: false, reason: "The access token was revoked" };
  if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: "The access token has expired" };
  const grant = await findGrant(kernelDb, row.grant_id);
  if (!grant || grant.revoked_at) return { ok: false, reason: "The access token was revoked" };
  // RFC 8707: a token is good only at the resource it was issued for.
  if (!grantCovers(grant, resource)) return { ok: false, reason: "The access token was issued for another resource" };
  const user = await kernelDb.selectFrom("users").select("disabled_at").where("id", "=", grant.user_id).executeTakeFirst();
  if (!user || user.disabled_at) return { ok: false, reason: "The access token's account is disabled" };
  await sql`select mcp_oauth_touch_grant(${grant.id}::uuid)`.execute(kernelDb);
  return { ok: true, grant };
}

/** Housekeeping: expired requests, device codes, codes and tokens (run by the cleanup job as the owner). */
export async function removeExpired(db: McpOauthDb, now = new Date()): Promise<void> {
  await db.deleteFrom("mcp_oauth_requests").where("expires_at", "<", now).execute();
  await db.deleteFrom("mcp_oauth_device_codes").where("expires_at", "<", now).execute();
  await db.deleteFrom("mcp_oauth_codes").where("expires_at", "<", new Date(now.getTime() - 86_400_000)).execute();
  await db.deleteFrom("mcp_oauth_tokens").where("expires_at", "<", new Date(now.getTime() - 86_400_000)).execute();
}
