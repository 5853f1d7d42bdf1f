/**
 * The device authorization grant (RFC 8628) through the shipped routes: a device client
 * registers without redirect URIs, asks for codes, polls (authorization_pending, slow_down,
 * expired_token, access_denied), its person enters the code and approves (narrowed), and the
 * tokens work at /mcp and, when asked for, at the ingestion API. Codes are stored hashed and
 * guessing them is rate limited.
 */
import { OAuthMetadataSchema } from "@modelcontextprotocol/sdk/shared/auth.js";
import { beforeAll, describe, expect, test } from "vitest";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { DEVICE_GRANT_TYPE } from "./device";
import { USER_CODE_ALPHABET } from "./secrets";
import { mcpOauthDb } from "./tables";
import { oauthHarness, twoProjects, type OAuthHarness } from "./test-helpers";

let h: OAuthHarness;
let owner: { id: string };
let orgId: string;
let alpha: string;
let beta: string;
let clientId: string;

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  h = oauthHarness(kernel);
  owner = await createUser(kernel, "Owner");
  orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
  ({ alpha, beta } = await twoProjects(kernel, owner.id, orgId));
  clientId = (await register({ client_name: "Atrium CLI", grant_types: [DEVICE_GRANT_TYPE, "refresh_token"], token_endpoint_auth_method: "none" })).body.client_id;
});

async function register(body: object) {
  const res = await h.fetch(`${h.publicUrl}/oauth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { client_id: string; error?: string } };
}

interface DeviceAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function startDevice(extra: Record<string, string | string[]> = {}): Promise<DeviceAnswer> {
  const form = new URLSearchParams({ client_id: clientId, scope: "read write" });
  for (const [key, value] of Object.entries(extra)) {
    form.delete(key);
    for (const v of [value].flat()) form.append(key, v);
  }
  const res = await h.fetch(`${h.publicUrl}/oauth/device_authorization`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
  expect(res.status).toBe(200);
  return (await res.json()) as DeviceAnswer;
}

async function poll(deviceCode: string, client = clientId) {
  const res = await h.post("/oauth/token", { grant_type: DEVICE_GRANT_TYPE, client_id: client, device_code: deviceCode });
  return { status: res.status, body: (await res.json()) as { error?: string; error_description?: string; access_token?: string; refresh_token?: string; scope?: string } };
}

/** The device waited its interval (the tests do not sleep: the last poll is moved back). */
async function waited(): Promise<void> {
  const { kernel } = booted;
  await mcpOauthDb(kernel.ownerDb).updateTable("mcp_oauth_device_codes").set({ last_polled_at: new Date(Date.now() - 60_000) }).execute();
}

async function tool(accessToken: string, name: string, args: object = {}) {
  const res = await h.fetch(h.mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
  });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as { result: { isError?: boolean; structuredContent?: unknown; content: Array<{ text: string }> } }) : null };
}

describe("device authorization", () => {
  test("advertised in the metadata; device clients register without redirect URIs, de-duplicated; code clients still need one", async () => {
    const metadata = OAuthMetadataSchema.parse(await (await h.fetch(`${h.publicUrl}/.well-known/oauth-authorization-server`)).json());
    expect(metadata.device_authorization_endpoint).toBe(`${h.publicUrl}/oauth/device_authorization`);
    expect(metadata.grant_types_supported).toContain(DEVICE_GRANT_TYPE);
    const again = await register({ client_name: "Atrium CLI", grant_types: [DEVICE_GRANT_TYPE, "refresh_token"] });
    expect(again).toMatchObject({ status: 201, body: { client_id: clientId } });
    const codeClient = await register({ client_name: "No redirect" });
    expect(codeClient).toMatchObject({ status: 400, body: { error: "invalid_redirect_uri" } });
  });

  test("codes: short, unambiguous, hashed at rest; unknown resources refused", async () => {
    const { kernel } = booted;
    const d = await startDevice();
    expect(d.user_code).toMatch(new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    expect(d).toMatchObject({ verification_uri: `${h.publicUrl}/connect/device`, verification_uri_complete: `${h.publicUrl}/connect/device?code=${d.user_code}`, expires_in: 600, interval: 5 });
    const rows = await mcpOauthDb(kernel.ownerDb).selectFrom("mcp_oauth_device_codes").selectAll().execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(d.device_code);
    expect(stored).not.toContain(d.user_code.replace("-", ""));
    expect(stored).not.toContain(d.user_code);
    const res = await h.fetch(`${h.publicUrl}/oauth/device_authorization`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: clientId, resource: "https://elsewhere.example/mcp" }).toString(),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_target" });
  });

  test("polling: pending, slow_down (the interval grows), then tokens once; narrowed to a project; only read unless write is ticked", async () => {
    const { kernel } = booted;
    const d = await startDevice();
    expect((await poll(d.device_code)).body.error).toBe("authorization_pending");
    const fast = await poll(d.device_code);
    expect(fast).toMatchObject({ status: 400, body: { error: "slow_down" } });
    expect(fast.body.error_description).toMatch(/10 s/);
    // Another client cannot use this device code.
    const other = (await register({ client_name: "Other device", grant_types: [DEVICE_GRANT_TYPE] })).body.client_id;
    expect((await poll(d.device_code, other)).body.error).toBe("invalid_grant");

    // The person types the code (any case, without the dash) and sees who asks.
    const as = asUser(kernel, owner.id);
    const seen = await as.mcpOauth.device.get({ userCode: d.user_code.toLowerCase().replace("-", " ") });
    expect(seen).toMatchObject({ client: { name: "Atrium CLI", origin: "command line", redirectUri: null }, requestedScopes: ["read", "write"] });
    expect(seen.orgs.map((o) => o.id)).toContain(orgId);
    await as.mcpOauth.device.approve({ userCode: d.user_code, orgId, scopes: ["read"], projectIds: [alpha] });
    await waited();
    const granted = await poll(d.device_code);
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read" });
    // Spent: a second poll gets nothing.
    await waited();
    expect((await poll(d.device_code)).body.error).toBe("invalid_grant");

    const token = granted.body.access_token!;
    expect((await tool(token, "get_dashboard", { projectId: alpha, slug: "in-alpha" })).body?.result.isError).toBeFalsy();
    const hidden = await tool(token, "get_dashboard", { projectId: beta, slug: "in-beta" });
    expect(hidden.body?.result.isError).toBe(true);
    expect(hidden.body?.result.content[0]!.text).toMatch(/not found/i);
    // Read only: a tool that writes asks for the write scope (step-up).
    const write = await tool(token, "create_project", { orgId, slug: "gamma", name: "Gamma" });
    expect(write.status).toBe(403);

    // Bound to /mcp only: the ingestion API refuses it.
    const api = await h.fetch(`${h.publicUrl}/api/v1/datasets`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(401);

    // Its refresh token rotates as in the code flow.
    const refreshed = await h.post("/oauth/token", { grant_type: "refresh_token", client_id: clientId, refresh_token: granted.body.refresh_token! });
    expect(refreshed.status).toBe(200);
  });

  test("a device asking for the ingestion API too gets a token good at both; narrowed to projects it cannot reach the org's datasets", async () => {
    const { kernel } = booted;
    const resources = [h.mcpUrl, `${h.publicUrl}/api/v1`];
    const both = await startDevice({ resource: resources });
    await asUser(kernel, owner.id).mcpOauth.device.approve({ userCode: both.user_code, orgId, scopes: ["read", "write"], projectIds: null });
    const token = (await poll(both.device_code)).body.access_token!;
    expect((await tool(token, "whoami")).status).toBe(200);
    const listed = await h.fetch(`${h.publicUrl}/api/v1/datasets`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    const registered = await h.fetch(`${h.publicUrl}/api/v1/sources`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ projectKey: "path:device", machineId: "11111111-1111-4111-8111-111111111111", name: "device test" }),
    });
    expect(registered.status).toBe(200);

    const narrow = await startDevice({ resource: resources });
    await asUser(kernel, owner.id).mcpOauth.device.approve({ userCode: narrow.user_code, orgId, scopes: ["read"], projectIds: [alpha] });
    const narrowToken = (await poll(narrow.device_code)).body.access_token!;
    const refused = await h.fetch(`${h.publicUrl}/api/v1/datasets`, { headers: { authorization: `Bearer ${narrowToken}` } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/limited to some projects/);
  });

  test("denied → access_denied; expired → expired_token; unknown or answered codes are not found to the person", async () => {
    const { kernel } = booted;
    const as = asUser(kernel, owner.id);
    const denied = await startDevice();
    await as.mcpOauth.device.deny({ userCode: denied.user_code });
    expect((await poll(denied.device_code)).body.error).toBe("access_denied");
    await expect(as.mcpOauth.device.get({ userCode: denied.user_code })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const late = await startDevice();
    const db = mcpOauthDb(kernel.ownerDb);
    await db.updateTable("mcp_oauth_device_codes").set({ expires_at: new Date(Date.now() - 1000) }).where("status", "=", "pending").execute();
    expect((await poll(late.device_code)).body.error).toBe("expired_token");
    await expect(as.mcpOauth.device.get({ userCode: late.user_code })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as.mcpOauth.device.get({ userCode: "AEIO-U123" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  });

  test("guessing user codes is rate limited per person", async () => {
    const { kernel } = booted;
    const guesser = await createUser(kernel, "Guesser");
    const as = asUser(kernel, guesser.id);
    const limit = 20 * kernel.config.rateLimitScale;
    for (let i = 0; i < limit; i++) await expect(as.mcpOauth.device.get({ userCode: "BCDF-GHJK" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as.mcpOauth.device.get({ userCode: "BCDF-GHJK" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  test("an org with agents off: the person cannot approve, and an approved device gets access_denied", async () => {
    const { kernel } = booted;
    const as = asUser(kernel, owner.id);
    const d = await startDevice();
    await as.mcpOauth.device.approve({ userCode: d.user_code, orgId, scopes: ["read"], projectIds: null });
    await as.mcpOauth.settings.update({ orgId, agents: "off" });
    try {
      expect((await poll(d.device_code)).body.error).toBe("access_denied");
      const e = await startDevice();
      await expect(as.mcpOauth.device.approve({ userCode: e.user_code, orgId, scopes: ["read"], projectIds: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
    } finally {
      await as.mcpOauth.settings.update({ orgId, agents: "write" });
    }
  });
});
