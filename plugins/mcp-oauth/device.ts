/**
 * The device authorization grant (RFC 8628), no HTTP: a device (the `atrium` CLI) asks for a
 * device code and a short user code; its person enters the user code in the app and approves
 * (org, scopes, projects, as on the consent screen); the device polls the token endpoint and
 * gets the same tokens as the code flow. Both codes are stored hashed; a code is spent once.
 */
import { TRPCError } from "@trpc/server";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { OAuthProblem, type ClientRow } from "./clients";
import { DEVICE_CODE_PREFIX, DEVICE_CODE_SECONDS, DEVICE_POLL_SECONDS, hashSecret, hashUserCode, newSecret, newUserCode, normalizeUserCode } from "./secrets";
import { findGrant, issueTokens, type TokenResponse } from "./service";
import { mcpOauthDb, type GrantScope, type McpOauthDb } from "./tables";

export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  expiresIn: number;
  interval: number;
}

/** Starts a device authorization for `client`: a device code for it, a user code for its person. */
export async function createDeviceAuthorization(
  db: McpOauthDb,
  secret: string,
  input: { client: ClientRow; scopes: GrantScope[]; resources: string[] },
): Promise<DeviceAuthorization> {
  await db.deleteFrom("mcp_oauth_device_codes").where("expires_at", "<", new Date()).execute();
  const deviceCode = newSecret(DEVICE_CODE_PREFIX);
  // A user code already pending (one chance in 2^34 per pending code) draws again.
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode();
    const inserted = await db
      .insertInto("mcp_oauth_device_codes")
      .values({
        device_code_hash: hashSecret(deviceCode),
        user_code_hash: hashUserCode(secret, normalizeUserCode(userCode)!),
        client_pk: input.client.id,
        scopes: input.scopes,
        resources: input.resources,
        grant_id: null,
        interval_seconds: DEVICE_POLL_SECONDS,
        last_polled_at: null,
        expires_at: new Date(Date.now() + DEVICE_CODE_SECONDS * 1000),
      })
      .onConflict((oc) => oc.column("user_code_hash").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted) return { deviceCode, userCode, expiresIn: DEVICE_CODE_SECONDS, interval: DEVICE_POLL_SECONDS };
    if (attempt > 3) throw new Error("Could not draw a free user code");
  }
}

/** The pending device authorization a typed user code names, with its client; null if none (or expired). */
export async function pendingDevice(db: McpOauthDb, secret: string, typed: string) {
  const normalized = normalizeUserCode(typed);
  if (!normalized) return null;
  const row = await db
    .selectFrom("mcp_oauth_device_codes as d")
    .innerJoin("mcp_oauth_clients as c", "c.id", "d.client_pk")
    .select(["d.id", "d.scopes", "d.resources", "d.status", "d.expires_at", "c.id as client_pk", "c.client_id", "c.client_name", "c.kind", "c.redirect_uris", "c.client_uri"])
    .where("d.user_code_hash", "=", hashUserCode(secret, normalized))
    .executeTakeFirst();
  if (!row || row.status !== "pending" || row.expires_at.getTime() <= Date.now()) return null;
  return row;
}

export type PendingDevice = NonNullable<Awaited<ReturnType<typeof pendingDevice>>>;

/** Records the person's approval as a grant for every resource the device asked for. */
export async function approveDevice(db: McpOauthDb, device: PendingDevice, decision: { userId: string; orgId: string; scopes: GrantScope[]; projectIds: string[] | null }): Promise<string> {
  const [resource, ...extra] = device.resources;
  const grant = await db
    .insertInto("mcp_oauth_grants")
    .values({
      org_id: decision.orgId,
      user_id: decision.userId,
      client_pk: device.client_pk,
      scopes: decision.scopes,
      project_ids: decision.projectIds,
      resource: resource!,
      extra_resources: extra,
      last_used_at: null,
      revoked_at: null,
      revoked_reason: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const updated = await db.updateTable("mcp_oauth_device_codes").set({ status: "approved", grant_id: grant.id }).where("id", "=", device.id).where("status", "=", "pending").returning("id").executeTakeFirst();
  if (!updated) throw new TRPCError({ code: "CONFLICT", message: "This code was already answered." });
  return grant.id;
}

/** The person declines: the device's next poll hears access_denied. */
export async function denyDevice(db: McpOauthDb, device: PendingDevice): Promise<void> {
  await db.updateTable("mcp_oauth_device_codes").set({ status: "denied" }).where("id", "=", device.id).where("status", "=", "pending").execute();
}

/**
 * grant_type=device_code (RFC 8628 §3.4–3.5): tokens once approved; until then
 * authorization_pending, slow_down (polled faster than the interval; the interval grows by
 * 5 s), expired_token, access_denied. The approved code is spent by the first poll that sees it.
 */
export async function pollDevice(kernelDb: Kysely<KernelDatabase>, client: ClientRow, deviceCode: string): Promise<TokenResponse> {
  const db = mcpOauthDb(kernelDb);
  const row = await db.selectFrom("mcp_oauth_device_codes").selectAll().where("device_code_hash", "=", hashSecret(deviceCode)).executeTakeFirst();
  if (!row || row.client_pk !== client.id) throw new OAuthProblem("invalid_grant", "The device code is not valid.");
  if (row.status === "used") throw new OAuthProblem("invalid_grant", "The device code was already used.");
  const now = Date.now();
  if (row.expires_at.getTime() <= now) throw new OAuthProblem("expired_token", "The device code has expired: start again.");
  if (row.status === "denied") throw new OAuthProblem("access_denied", "The person declined.");
  if (row.last_polled_at && now - row.last_polled_at.getTime() < row.interval_seconds * 1000) {
    const interval = row.interval_seconds + 5;
    await db.updateTable("mcp_oauth_device_codes").set({ interval_seconds: interval, last_polled_at: new Date(now) }).where("id", "=", row.id).execute();
    throw new OAuthProblem("slow_down", `Polling too fast: wait ${interval} s between requests.`);
  }
  await db.updateTable("mcp_oauth_device_codes").set({ last_polled_at: new Date(now) }).where("id", "=", row.id).execute();
  if (row.status === "pending") throw new OAuthProblem("authorization_pending", "Waiting for the person to enter the code and approve.");
  // Approved: the first poll to spend it gets the tokens.
  const spent = await db.updateTable("mcp_oauth_device_codes").set({ status: "used" }).where("id", "=", row.id).where("status", "=", "approved").returning("grant_id").executeTakeFirst();
  if (!spent?.grant_id) throw new OAuthProblem("invalid_grant", "The device code was already used.");
  const grant = await findGrant(kernelDb, spent.grant_id);
  if (!grant || grant.revoked_at) throw new OAuthProblem("invalid_grant", "This connection was revoked.");
  if (grant.agents === "off") throw new OAuthProblem("access_denied", "AI agents are turned off in this organization.", 403);
  return issueTokens(db, grant);
}
