/**
 * The authorization server with the SDK's own OAuth client: discovery from /mcp's 401,
 * registration (de-duplicated), consent, tokens bound to /mcp, tools/call, refresh, revoke;
 * a Client ID Metadata Document client (and the private-address filter that guards its
 * fetch); every refusal an attacker would try; project narrowing; the org's agent setting;
 * personal access tokens beside it all.
 */
import { randomBytes } from "node:crypto";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { OAuthMetadataSchema, OAuthProtectedResourceMetadataSchema } from "@modelcontextprotocol/sdk/shared/auth.js";
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { beforeAll, describe, expect, test } from "vitest";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser, createOrg, createUser } from "../../tests/setup/fixtures";
import { createToken, mcpHarness } from "../agent/test-helpers";
import { removeUnusedClients } from "./clients";
import { configureMcpOauth } from "./settings";
import { mcpOauthDb } from "./tables";
import { MemoryOAuthProvider, metadataServer, oauthHarness, REDIRECT_URI, twoProjects, type OAuthHarness } from "./test-helpers";

let h: OAuthHarness;
let owner: { id: string };
let viewer: { id: string };
let orgId: string;
let alpha: string;
let beta: string;

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  h = oauthHarness(kernel);
  owner = await createUser(kernel, "Owner");
  viewer = await createUser(kernel, "Viewer");
  orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }, { userId: viewer.id, role: "viewer" }])).id;
  ({ alpha, beta } = await twoProjects(kernel, owner.id, orgId));
});

const data = <T>(result: unknown) => (result as { structuredContent: T }).structuredContent;

/** A client through the whole flow: 401, discovery, registration, consent, code exchange; connected. */
async function connected(decision: { scopes: Array<"read" | "write">; projectIds?: string[] | null; userId?: string }, provider = new MemoryOAuthProvider()) {
  await expect(h.connect(provider)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorizationUrl = provider.lastAuthorizationUrl!;
  const { code, state } = await h.consent(authorizationUrl, decision.userId ?? owner.id, { orgId, ...decision });
  expect(state).toBe(provider.stateValue);
  // The client exchanges the code (the SDK's finishAuth), then connects with its token.
  await new StreamableHTTPClientTransport(new URL(h.mcpUrl), { authProvider: provider, fetch: h.fetch }).finishAuth(code);
  const { client } = await h.connect(provider);
  return { client, provider, authorizationUrl };
}

function pkcePair() {
  const verifier = encodeBase64urlNoPadding(randomBytes(32));
  return { verifier, challenge: encodeBase64urlNoPadding(sha256(new TextEncoder().encode(verifier))) };
}

/** Registers a client and runs authorize + consent by hand; returns what the token request needs. */
async function handAuthorized(scopes: Array<"read" | "write"> = ["read"]) {
  const registered = await h.fetch(`${h.publicUrl}/oauth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_name: "Hand client", redirect_uris: [REDIRECT_URI] }) });
  const { client_id } = (await registered.json()) as { client_id: string };
  const pkce = pkcePair();
  const url = new URL(`${h.publicUrl}/oauth/authorize`);
  for (const [key, value] of Object.entries({ response_type: "code", client_id, redirect_uri: REDIRECT_URI, code_challenge: pkce.challenge, code_challenge_method: "S256", scope: scopes.join(" "), resource: h.mcpUrl, state: "s1" })) {
    url.searchParams.set(key, value);
  }
  const { code } = await h.consent(url, owner.id, { orgId, scopes });
  return { client_id, code, ...pkce };
}

async function exchange(a: { client_id: string; code: string; verifier: string }, extra: Record<string, string> = {}) {
  return h.post("/oauth/token", { grant_type: "authorization_code", client_id: a.client_id, code: a.code, code_verifier: a.verifier, redirect_uri: REDIRECT_URI, resource: h.mcpUrl, ...extra });
}

async function mcpStatus(accessToken: string): Promise<Response> {
  return h.fetch(h.mcpUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
  });
}

describe("discovery", () => {
  test("the protected resource names Atrium as its authorization server; the metadata is RFC 8414 and says PKCE S256 and metadata documents", async () => {
    const prm = OAuthProtectedResourceMetadataSchema.parse(await (await h.fetch(`${h.publicUrl}/.well-known/oauth-protected-resource/mcp`)).json());
    expect(prm.authorization_servers).toEqual([h.publicUrl]);
    const metadata = OAuthMetadataSchema.parse(await (await h.fetch(`${h.publicUrl}/.well-known/oauth-authorization-server`)).json());
    expect(metadata).toMatchObject({ issuer: h.publicUrl, code_challenge_methods_supported: ["S256"], client_id_metadata_document_supported: true, scopes_supported: ["read", "write"] });
  });
});

describe("the SDK client's flow", () => {
  test("401 → registration → consent → tools/call → refresh → revoke", async () => {
    const { client, provider } = await connected({ scopes: ["read"] });
    const whoami = await client.callTool({ name: "whoami", arguments: {} });
    expect(whoami.isError).toBeFalsy();
    expect(provider.saved).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read" });
    const firstAccess = provider.saved!.access_token;

    // Refresh: a new pair; the old refresh token is spent.
    const refreshed = await h.post("/oauth/token", { grant_type: "refresh_token", client_id: provider.client!.client_id, refresh_token: provider.saved!.refresh_token!, resource: h.mcpUrl });
    expect(refreshed.status).toBe(200);
    const pair = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(pair.access_token).not.toBe(firstAccess);
    expect((await mcpStatus(pair.access_token)).status).toBe(200);

    // Revoking the refresh token ends the connection: every access token stops at once.
    expect((await h.post("/oauth/revoke", { client_id: provider.client!.client_id, token: pair.refresh_token })).status).toBe(200);
    const after = await mcpStatus(pair.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    await client.close();
  });

  test("registration is de-duplicated: the same name and redirect URIs are one client; others are another", async () => {
    const { kernel } = booted;
    const register = async (body: object) => (await h.fetch(`${h.publicUrl}/oauth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json() as Promise<{ client_id: string }>;
    const a = await register({ client_name: "Dup", redirect_uris: ["http://127.0.0.1:1/cb", "https://app.example/cb"] });
    const b = await register({ client_name: "Dup", redirect_uris: ["https://app.example/cb", "http://127.0.0.1:1/cb"] });
    const c = await register({ client_name: "Dup", redirect_uris: ["https://app.example/other"] });
    expect(b.client_id).toBe(a.client_id);
    expect(c.client_id).not.toBe(a.client_id);
    const bad = await h.fetch(`${h.publicUrl}/oauth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_name: "Bad", redirect_uris: ["http://evil.example/cb"] }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_redirect_uri" });
    const secret = await h.fetch(`${h.publicUrl}/oauth/register`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ redirect_uris: ["https://a.example/cb"], token_endpoint_auth_method: "client_secret_basic" }) });
    expect(await secret.json()).toMatchObject({ error: "invalid_client_metadata" });

    // Cleanup: an unused registration older than a day goes; one with a live grant stays.
    const db = mcpOauthDb(kernel.ownerDb);
    await db.updateTable("mcp_oauth_clients").set({ created_at: new Date(Date.now() - 2 * 86_400_000) }).execute();
    await removeUnusedClients(db);
    const left = await db.selectFrom("mcp_oauth_clients").select("client_id").execute();
    expect(left.map((r) => r.client_id)).not.toContain(a.client_id);
    expect(left.length).toBeGreaterThan(0);
  });
});

describe("refusals", () => {
  test("a wrong PKCE verifier, a reused code, a redirect URI mismatch", async () => {
    const a = await handAuthorized();
    const wrong = await exchange({ ...a, verifier: pkcePair().verifier });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/PKCE/) });

    const b = await handAuthorized();
    const mismatch = await exchange(b, { redirect_uri: "http://127.0.0.1:8976/other" });
    expect(await mismatch.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/redirect_uri/) });

    const c = await handAuthorized();
    const ok = await exchange(c);
    expect(ok.status).toBe(200);
    const { access_token } = (await ok.json()) as { access_token: string };
    expect((await mcpStatus(access_token)).status).toBe(200);
    const again = await exchange(c);
    expect(await again.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/already used/) });
    // The replay revoked what the code gave.
    expect((await mcpStatus(access_token)).status).toBe(401);

    // At the authorization endpoint a redirect URI the client did not register is never followed.
    const url = new URL(`${h.publicUrl}/oauth/authorize`);
    for (const [key, value] of Object.entries({ response_type: "code", client_id: a.client_id, redirect_uri: "https://evil.example/cb", code_challenge: pkcePair().challenge, code_challenge_method: "S256" })) url.searchParams.set(key, value);
    const refused = await h.fetch(url);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("location")).toBeNull();
    // Without PKCE S256 the client hears invalid_request at its own redirect URI.
    url.searchParams.set("redirect_uri", REDIRECT_URI);
    url.searchParams.set("code_challenge_method", "plain");
    const plain = await h.fetch(url);
    expect(plain.status).toBe(302);
    expect(new URL(plain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
    // Another resource: invalid_target.
    url.searchParams.set("code_challenge_method", "S256");
    url.searchParams.set("resource", "https://elsewhere.example/mcp");
    expect(new URL((await h.fetch(url)).headers.get("location")!).searchParams.get("error")).toBe("invalid_target");
  });

  test("a reused rotated refresh token revokes the whole family", async () => {
    const a = await handAuthorized();
    const first = (await (await exchange(a)).json()) as { refresh_token: string };
    const second = (await (await h.post("/oauth/token", { grant_type: "refresh_token", client_id: a.client_id, refresh_token: first.refresh_token })).json()) as { access_token: string; refresh_token: string };
    expect((await mcpStatus(second.access_token)).status).toBe(200);
    const replay = await h.post("/oauth/token", { grant_type: "refresh_token", client_id: a.client_id, refresh_token: first.refresh_token });
    expect(await replay.json()).toMatchObject({ error: "invalid_grant", error_description: expect.stringMatching(/already used/) });
    expect((await mcpStatus(second.access_token)).status).toBe(401);
    const newest = await h.post("/oauth/token", { grant_type: "refresh_token", client_id: a.client_id, refresh_token: second.refresh_token });
    expect(await newest.json()).toMatchObject({ error: "invalid_grant" });
  });

  test("a token for another audience, and an expired token, are 401 invalid_token", async () => {
    const { kernel } = booted;
    const a = await handAuthorized();
    const { access_token } = (await (await exchange(a)).json()) as { access_token: string };
    const db = mcpOauthDb(kernel.ownerDb);
    const grantId = (await db.selectFrom("mcp_oauth_codes").select("grant_id").orderBy("expires_at", "desc").executeTakeFirstOrThrow()).grant_id;
    await db.updateTable("mcp_oauth_grants").set({ resource: "https://elsewhere.example/mcp" }).where("id", "=", grantId).execute();
    const other = await mcpStatus(access_token);
    expect(other.status).toBe(401);
    expect(other.headers.get("www-authenticate")).toMatch(/another resource/);
    await db.updateTable("mcp_oauth_grants").set({ resource: h.mcpUrl }).where("id", "=", grantId).execute();
    expect((await mcpStatus(access_token)).status).toBe(200);
    await db.updateTable("mcp_oauth_tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("grant_id", "=", grantId).where("kind", "=", "access").execute();
    const expired = await mcpStatus(access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toMatch(/error="invalid_token".*expired/);
  });

  test("a read grant calling a tool that writes: 403 insufficient_scope naming write", async () => {
    const a = await handAuthorized(["read"]);
    const { access_token } = (await (await exchange(a)).json()) as { access_token: string };
    const response = await h.fetch(h.mcpUrl, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "create_project", arguments: { slug: "nope", name: "Nope" } } }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/error="insufficient_scope", scope="write"/);
  });
});

describe("what the person granted", () => {
  test("nothing beyond read unless chosen; a consent narrowed to one project hides the other (404)", async () => {
    const { client } = await connected({ scopes: ["read"], projectIds: [alpha] });
    const listed = data<Array<{ id: string }>>(await client.callTool({ name: "list_projects", arguments: {} }));
    expect(JSON.stringify(listed)).toContain(alpha);
    expect(JSON.stringify(listed)).not.toContain(beta);
    const inAlpha = await client.callTool({ name: "get_dashboard", arguments: { projectId: alpha, slug: "in-alpha" } });
    expect(inAlpha.isError).toBeFalsy();
    const inBeta = await client.callTool({ name: "get_dashboard", arguments: { projectId: beta, slug: "in-beta" } });
    expect(data<{ error: { code: string } }>(inBeta).error.code).toBe("NOT_FOUND");
    const found = data<{ items: Array<{ slug: string }> }>(await client.callTool({ name: "search_dashboards", arguments: { query: "one number" } }));
    expect(found.items.map((d) => d.slug)).toEqual(["in-alpha"]);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).not.toContain("create_dashboard");
    await client.close();
  });

  test("a person cannot grant projects they cannot see or orgs they are not in", async () => {
    const { kernel } = booted;
    const stranger = await createUser(kernel, "Stranger");
    const provider = new MemoryOAuthProvider();
    await expect(h.connect(provider)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(h.consent(provider.lastAuthorizationUrl!, stranger.id, { orgId, scopes: ["read"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("someone whose only access in the org is a shared dashboard", () => {
  test("the consent screen offers that org; their agent connects by OAuth and sees the shared dashboard alone; the share's end ends it", async () => {
    const { kernel } = booted;
    const guest = await createUser(kernel, "Guest");
    await kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", guest.id).execute();
    const provider = new MemoryOAuthProvider();
    await expect(h.connect(provider)).rejects.toBeInstanceOf(UnauthorizedError);
    const started = await h.fetch(provider.lastAuthorizationUrl!);
    const requestId = new URL(started.headers.get("location")!).searchParams.get("request")!;
    // Before anything is shared: no org to choose, and choosing this one anyway is a 404.
    expect((await asUser(kernel, guest.id).mcpOauth.consent.get({ requestId })).orgs).toEqual([]);
    await expect(asUser(kernel, guest.id).mcpOauth.consent.approve({ requestId, orgId, scopes: ["read"], projectIds: null })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await asUser(kernel, owner.id).sharing.share({ orgId, projectId: alpha, slug: "in-alpha", email: guest.email, role: "view" });
    const offered = (await asUser(kernel, guest.id).mcpOauth.consent.get({ requestId })).orgs;
    expect(offered).toEqual([expect.objectContaining({ id: orgId, role: null, shared: true, agents: "write" })]);
    // Narrowing to a project the share does not reach is refused; the shared one is accepted.
    await expect(asUser(kernel, guest.id).mcpOauth.consent.approve({ requestId, orgId, scopes: ["read"], projectIds: [beta] })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    const { code } = await h.consent(provider.lastAuthorizationUrl!, guest.id, { orgId, scopes: ["read"], projectIds: null });
    await new StreamableHTTPClientTransport(new URL(h.mcpUrl), { authProvider: provider, fetch: h.fetch }).finishAuth(code);
    const { client } = await h.connect(provider);
    try {
      const found = data<{ items: Array<{ slug: string; projectId: string }> }>(await client.callTool({ name: "search_dashboards", arguments: { query: "one number" } }));
      expect(found.items.map((d) => [d.slug, d.projectId])).toEqual([["in-alpha", alpha]]);
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([expect.stringMatching(/\/alpha\/dashboards\/in-alpha$/)]);
      const shared = await client.callTool({ name: "get_dashboard", arguments: { projectId: alpha, slug: "in-alpha" } });
      expect(shared.isError).toBeFalsy();
      const hidden = await client.callTool({ name: "get_dashboard", arguments: { projectId: beta, slug: "in-beta" } });
      expect(data<{ error: { code: string } }>(hidden).error.code).toBe("NOT_FOUND");
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("list_projects");

      const access = await asUser(kernel, owner.id).sharing.access({ orgId, projectId: alpha, slug: "in-alpha" });
      await asUser(kernel, owner.id).sharing.revoke({ orgId, projectId: alpha, grantId: access.entries.find((e) => e.kind === "grant")!.grantId! });
      expect((await client.listResources()).resources).toEqual([]);
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("search_dashboards");
    } finally {
      await client.close();
    }
  });
});

describe("connected apps and the org's rule", () => {
  test("the person's list shows client, org, scopes, projects, last use and calls; revoking ends the tokens", async () => {
    const { kernel } = booted;
    const { client, provider } = await connected({ scopes: ["read", "write"], projectIds: [beta] });
    await client.callTool({ name: "whoami", arguments: {} });
    const mine = await asUser(kernel, owner.id).mcpOauth.connections.mine();
    const row = mine.find((c) => c.projects?.[0]?.id === beta && c.scopes.includes("write"))!;
    expect(row).toMatchObject({ client: { name: "Test agent", origin: "http://127.0.0.1:8976" }, orgId, scopes: ["read", "write"], projects: [{ id: beta, name: "Beta" }] });
    expect(row.calls).toBeGreaterThan(0);
    expect(row.lastUsedAt).not.toBeNull();
    // Someone else's connection is not theirs to revoke; an admin's list has it.
    await expect(asUser(kernel, viewer.id).mcpOauth.connections.revokeMine({ grantId: row.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asUser(kernel, viewer.id).mcpOauth.connections.org({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await asUser(kernel, owner.id).mcpOauth.connections.org({ orgId })).map((c) => c.id)).toContain(row.id);
    await asUser(kernel, owner.id).mcpOauth.connections.revokeMine({ grantId: row.id });
    expect((await mcpStatus(provider.saved!.access_token)).status).toBe(401);
    await client.close();
  });

  test("org admins revoke anyone's agent; agents off refuses every agent, OAuth and personal tokens alike; read-only narrows", async () => {
    const { kernel } = booted;
    const viewerApp = await connected({ scopes: ["read"], userId: viewer.id });
    const pat = (await createToken(kernel, owner.id, orgId, ["read", "write"])).token;
    const patClient = await mcpHarness(kernel).connect(pat);
    expect((await patClient.callTool({ name: "whoami", arguments: {} })).isError).toBeFalsy();

    const admin = asUser(kernel, owner.id).mcpOauth;
    await admin.settings.update({ orgId, agents: "read" });
    const patTools = (await patClient.listTools()).tools.map((t) => t.name);
    expect(patTools).not.toContain("create_project");
    await expect(asUser(kernel, viewer.id).mcpOauth.settings.update({ orgId, agents: "write" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await admin.settings.update({ orgId, agents: "off" });
    const off = await mcpStatus(viewerApp.provider.saved!.access_token);
    expect(off.status).toBe(403);
    await expect(patClient.callTool({ name: "whoami", arguments: {} })).rejects.toThrow(/403|turned off/);
    const refresh = await h.post("/oauth/token", { grant_type: "refresh_token", client_id: viewerApp.provider.client!.client_id, refresh_token: viewerApp.provider.saved!.refresh_token! });
    expect(refresh.status).toBe(403);
    await admin.settings.update({ orgId, agents: "write" });

    const grant = (await admin.connections.org({ orgId })).find((c) => c.person.email && c.scopes.join() === "read" && c.client.name === "Test agent")!;
    await admin.connections.revoke({ orgId, grantId: grant.id });
    expect((await admin.connections.org({ orgId })).map((c) => c.id)).not.toContain(grant.id);
    // Personal access tokens keep working.
    expect((await patClient.callTool({ name: "whoami", arguments: {} })).isError).toBeFalsy();
    await patClient.close();
    await viewerApp.client.close();
  });
});

describe("Client ID Metadata Documents", () => {
  test("a client named by its https metadata URL: fetched through the address filter, checked, used", async () => {
    const { kernel } = booted;
    const server = await metadataServer({
      "/client.json": (origin) => ({ client_id: `${origin}/client.json`, client_name: "Metadata agent", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none" }),
      "/liar.json": () => ({ client_id: "https://someone-else.example/client.json", client_name: "Liar", redirect_uris: [REDIRECT_URI] }),
    });
    try {
      const clientId = `${server.origin}/client.json`;
      // By default a loopback (internal) address is never fetched.
      const refused = await h.fetch(`${h.publicUrl}/oauth/authorize?client_id=${encodeURIComponent(clientId)}&response_type=code`);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/loopback/);
      expect(server.hits()).toBe(0);

      configureMcpOauth(kernel, { metadataFetch: { allowPrivateHosts: true, ca: server.ca, timeoutMs: 5000, maxBytes: 65536 } });
      const provider = new MemoryOAuthProvider({ client_name: "Metadata agent", redirect_uris: [REDIRECT_URI] }, clientId);
      const { client } = await connected({ scopes: ["read"] }, provider);
      expect(provider.client?.client_id).toBe(clientId);
      expect((await client.callTool({ name: "whoami", arguments: {} })).isError).toBeFalsy();
      await client.close();
      const mine = await asUser(kernel, owner.id).mcpOauth.connections.mine();
      expect(mine.some((c) => c.client.name === "Metadata agent" && c.client.origin === server.origin)).toBe(true);

      const liar = await h.fetch(`${h.publicUrl}/oauth/authorize?client_id=${encodeURIComponent(`${server.origin}/liar.json`)}&response_type=code`);
      expect(liar.status).toBe(400);
      expect(await liar.text()).toMatch(/another client_id/);
    } finally {
      configureMcpOauth(kernel, { metadataFetch: { allowPrivateHosts: false, timeoutMs: 5000, maxBytes: 65536 } });
      await server.close();
    }
  });
});
