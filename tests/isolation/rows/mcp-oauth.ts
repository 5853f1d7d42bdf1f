/**
 * Isolation rows for `mcpOauth.*`. The consent and connected-app procedures are a person's at
 * a browser (tokens are refused); the org's list, revocation and setting follow their
 * capabilities. Rows that need a pending authorization request or a grant write one first.
 */
import { randomUUID } from "node:crypto";
import { createDeviceAuthorization } from "../../../plugins/mcp-oauth/device";
import { createAuthorizationRequest } from "../../../plugins/mcp-oauth/service";
import { mcpOauthDb } from "../../../plugins/mcp-oauth/tables";
import { unique } from "../../setup/fixtures";
import type { World } from "../world";
import { A, sessionOnly, type Row } from "./helpers";

async function client(w: World) {
  return mcpOauthDb(w.kernel.ownerDb)
    .insertInto("mcp_oauth_clients")
    .values({ client_id: unique("mcp_client"), kind: "registered", client_name: "Matrix agent", client_uri: null, redirect_uris: ["http://127.0.0.1:9/cb"], registration_key: null, fetched_at: null, last_used_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function pendingRequest(w: World): Promise<string> {
  return createAuthorizationRequest(mcpOauthDb(w.kernel.ownerDb), {
    client: await client(w),
    redirectUri: "http://127.0.0.1:9/cb",
    codeChallenge: "a".repeat(43),
    scopes: ["read"],
    resource: `${w.kernel.config.publicUrl}/mcp`,
    state: null,
  });
}

/** A pending device authorization; answers its user code. */
async function pendingDeviceCode(w: World): Promise<string> {
  const device = await createDeviceAuthorization(mcpOauthDb(w.kernel.ownerDb), w.kernel.secret, { client: await client(w), scopes: ["read"], resources: [`${w.kernel.config.publicUrl}/mcp`] });
  return device.userCode;
}

/** A live grant of org A's owner. */
async function ownersGrant(w: World): Promise<string> {
  const row = await mcpOauthDb(w.kernel.ownerDb)
    .insertInto("mcp_oauth_grants")
    .values({ org_id: w.orgA.id, user_id: w.users.owner.id, client_pk: (await client(w)).id, scopes: ["read"], project_ids: null, resource: `${w.kernel.config.publicUrl}/mcp`, last_used_at: null, revoked_at: null, revoked_reason: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export const mcpOauthRows: Record<string, Row> = {
  "mcpOauth.consent.get": { input: async (w) => ({ requestId: await pendingRequest(w) }), expect: sessionOnly() },
  "mcpOauth.consent.approve": {
    input: async (w) => ({ requestId: await pendingRequest(w), orgId: w.orgA.id, scopes: ["read"], projectIds: null }),
    expect: { ...sessionOnly(), nonMember: "NOT_FOUND" },
  },
  "mcpOauth.consent.deny": { input: async (w) => ({ requestId: await pendingRequest(w) }), expect: sessionOnly() },
  "mcpOauth.device.get": { input: async (w) => ({ userCode: await pendingDeviceCode(w) }), expect: sessionOnly() },
  "mcpOauth.device.approve": {
    input: async (w) => ({ userCode: await pendingDeviceCode(w), orgId: w.orgA.id, scopes: ["read"], projectIds: null }),
    expect: { ...sessionOnly(), nonMember: "NOT_FOUND" },
  },
  "mcpOauth.device.deny": { input: async (w) => ({ userCode: await pendingDeviceCode(w) }), expect: sessionOnly() },
  "mcpOauth.connections.mine": { expect: sessionOnly() },
  // Someone else's connection is as unknown as a made-up one.
  "mcpOauth.connections.revokeMine": { input: () => ({ grantId: randomUUID() }), expect: sessionOnly("NOT_FOUND") },
  "mcpOauth.connections.org": { input: A },
  "mcpOauth.connections.revoke": { input: async (w) => ({ ...A(w), grantId: await ownersGrant(w) }) },
  "mcpOauth.usage.publish": { input: (w) => ({ ...A(w), projectId: w.projectA.id }) },
  "mcpOauth.settings.get": { input: A },
  "mcpOauth.settings.update": { input: (w) => ({ ...A(w), agents: "read" }) },
};
