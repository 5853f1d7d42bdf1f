/**
 * The GitHub App install flow over the kernel's HTTP dispatcher, against the GitHub-shaped test
 * server: the start (git-sync.connect on the project: 404 for a non-member, 403 without it)
 * sends the person to the App's install page with a state bound to them and the project; the
 * callback records the installation their own GitHub authorization reaches and returns them to
 * the Git page, from where the project connects. A replayed, expired or another person's state
 * is refused and records nothing; a forged installation id is not recorded.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, generateSessionToken } from "~/kernel/auth/session";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import { bootTestKernel } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { recordedInstallations } from "./github-install";
import { githubGrant, saveGithubGrant } from "./github-grant";
import { createRemote, serveGithub } from "./test-repos";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
let k: Awaited<ReturnType<typeof bootTestKernel>>;
let github: Awaited<ReturnType<typeof serveGithub>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-install-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-github-install-host-"));
const repo = createRemote("main");
const codes = new Map<string, string>();
const oauth: { clientId: string; clientSecret: string; codes: Map<string, string>; expiring?: { expiresIn: number; refreshTokenExpiresIn: number } } = { clientId: "Iv1.atriumtest", clientSecret: "app-client-secret", codes };
const dispatcher = createHttpDispatcher(testPlugins);
const ENV = { GIT_SYNC_DIR: syncDir, GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: pem, GIT_GITHUB_APP_SLUG: "atrium-test", GIT_GITHUB_APP_CLIENT_ID: "Iv1.atriumtest", GIT_GITHUB_APP_CLIENT_SECRET: "app-client-secret" };

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(repo.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, "unused-personal-token", {
    id: "4242",
    publicKey: keys.publicKey,
    installations: new Map([
      [77, ["dashboards"]],
      [88, ["finance"]],
    ]),
    users: new Map([
      ["ghu_alice", [77]],
      ["ghu_bob", [88]],
    ]),
    oauth,
  });
  Object.assign(process.env, ENV, { GIT_GITHUB_URL: github.url });
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  await github?.close();
  for (const name of [...Object.keys(ENV), "GIT_GITHUB_URL"]) delete process.env[name];
  repo.remove();
  rmSync(hostRoot, { recursive: true, force: true });
  rmSync(syncDir, { recursive: true, force: true });
});

async function cookieFor(userId: string): Promise<string> {
  const token = generateSessionToken();
  await createSession(k.kernel.ownerDb, token, userId);
  return `atrium_session=${token}`;
}

async function get(url: string, cookie?: string) {
  const env: DispatchEnv = { kernel: k.kernel, router: testRouter, requestId: unique("req"), ip: "192.0.2.10" };
  const response = await dispatcher.dispatch(new Request(url, { headers: cookie ? { cookie } : {} }), env);
  if (!response) throw new Error("no route");
  const body = response.status === 302 ? null : ((await response.json()) as { error?: { code?: string } });
  return { status: response.status, location: response.headers.get("location"), body };
}

/** Starts an install as `cookie` for the project; the state GitHub would carry back. */
async function start(at: { orgId: string; projectId: string }, cookie: string): Promise<string> {
  const res = await get(`${k.kernel.config.publicUrl}/api/git-sync/github/install?orgId=${at.orgId}&projectId=${at.projectId}`, cookie);
  expect(res.status).toBe(302);
  const url = new URL(res.location!);
  expect(`${url.origin}${url.pathname}`).toBe(`${github.url}/apps/atrium-test/installations/new`);
  return url.searchParams.get("state")!;
}

const callback = (state: string, installationId: number | string, code: string) =>
  `${k.kernel.config.publicUrl}/api/git-sync/github/callback?${new URLSearchParams({ state, installation_id: String(installationId), setup_action: "install", code })}`;

function newCode(userToken: string): string {
  const code = unique("code");
  codes.set(code, userToken);
  return code;
}

describe("the GitHub App install flow", () => {
  test("start → GitHub → callback records the person's installation and returns to the Git page; the project then connects through it", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const state = await start(w.at, cookie);
    // Only the state's hash is stored.
    const stored = await k.kernel.ownerDb.withTables<{ git_sync_github_states: { state_hash: string; user_id: string } }>().selectFrom("git_sync_github_states").select("state_hash").where("user_id", "=", w.user.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.state_hash).not.toContain(state);

    const done = await get(callback(state, 77, newCode("ghu_alice")), cookie);
    expect(done.status).toBe(302);
    const back = new URL(done.location!);
    expect(back.pathname).toMatch(/^\/o\/[^/]+\/p\/[^/]+\/git$/);
    expect(Object.fromEntries(back.searchParams)).toEqual({ github: "installed", installationId: "77" });
    expect(await recordedInstallations(k.kernel, w.user.id)).toEqual([{ id: 77, account: "acme" }]);
    expect(await githubGrant(k.kernel, w.user.id)).toBe("ghu_alice");
    const grantRow = await k.kernel.ownerDb.withTables<{ git_sync_github_grants: { user_id: string; token: string } }>().selectFrom("git_sync_github_grants").select("token").where("user_id", "=", w.user.id).executeTakeFirstOrThrow();
    expect(grantRow.token).not.toContain("ghu_alice");

    // The Git page's picker: the installations the person's own grant reaches, with their repositories.
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual({
      available: true,
      authorized: true,
      installations: [{ id: 77, account: "acme", repositories: [{ name: "dashboards", fullName: "acme/dashboards", defaultBranch: "main" }] }],
    });
    const stranger = await workspace(k.kernel);
    expect(await stranger.caller.gitSync.githubRepositories(stranger.at)).toEqual({ available: true, authorized: false, installations: [] });

    repo.commit({ "dashboards/sales.yaml": simpleYaml("Sales") });
    const connected = await w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" });
    expect(connected.imported).toEqual(["sales"]);
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("action", "=", "git-sync.github-install").where("actor_user_id", "=", w.user.id).execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain("ghu_alice");
  });

  test("a replayed state is refused and changes nothing", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const state = await start(w.at, cookie);
    expect((await get(callback(state, 77, newCode("ghu_alice")), cookie)).status).toBe(302);
    const replay = await get(callback(state, 88, newCode("ghu_bob")), cookie);
    expect(replay).toMatchObject({ status: 400, body: { error: { code: "state_invalid" } } });
    expect(await recordedInstallations(k.kernel, w.user.id)).toEqual([{ id: 77, account: "acme" }]);
    expect(await githubGrant(k.kernel, w.user.id)).toBe("ghu_alice");
  });

  test("an expired state is refused and records nothing", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const state = await start(w.at, cookie);
    await k.kernel.ownerDb
      .withTables<{ git_sync_github_states: { user_id: string; expires_at: Date } }>()
      .updateTable("git_sync_github_states")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", w.user.id)
      .execute();
    const expired = await get(callback(state, 77, newCode("ghu_alice")), cookie);
    expect(expired).toMatchObject({ status: 400, body: { error: { code: "state_expired" } } });
    expect(await recordedInstallations(k.kernel, w.user.id)).toEqual([]);
    expect(await githubGrant(k.kernel, w.user.id)).toBeNull();
  });

  test("another person's state is refused (and stays theirs); no session is a 401", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const state = await start(w.at, cookie);
    const other = await colleague(k.kernel, w.org.id, "owner");
    const theirs = await get(callback(state, 77, newCode("ghu_alice")), await cookieFor(other.user.id));
    expect(theirs).toMatchObject({ status: 400, body: { error: { code: "state_invalid" } } });
    expect(await recordedInstallations(k.kernel, other.user.id)).toEqual([]);
    expect(await githubGrant(k.kernel, other.user.id)).toBeNull();
    expect((await get(callback(state, 77, newCode("ghu_alice")))).status).toBe(401);
    // The person it was made for can still finish.
    expect((await get(callback(state, 77, newCode("ghu_alice")), cookie)).status).toBe(302);
  });

  test("a forged installation id is not recorded; a bad code is not a grant", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const forged = await get(callback(await start(w.at, cookie), 88, newCode("ghu_alice")), cookie);
    expect(new URL(forged.location!).searchParams.get("github")).toBe("installation_not_yours");
    expect(await recordedInstallations(k.kernel, w.user.id)).toEqual([]);
    const badCode = await get(callback(await start(w.at, cookie), 77, "not-a-code"), cookie);
    expect(new URL(badCode.location!).searchParams.get("github")).toBe("authorization_refused");
    const noId = await get(callback(await start(w.at, cookie), "12abc", newCode("ghu_alice")), cookie);
    expect(new URL(noId.location!).searchParams.get("github")).toBe("installation_missing");
    expect(await recordedInstallations(k.kernel, w.user.id)).toEqual([]);
  });

  test("starting needs git-sync.connect on the project: a non-member gets 404, an editor 403, and no state is stored", async () => {
    const w = await workspace(k.kernel);
    const outsider = await workspace(k.kernel);
    const editor = await colleague(k.kernel, w.org.id, "editor");
    const url = `${k.kernel.config.publicUrl}/api/git-sync/github/install?orgId=${w.at.orgId}&projectId=${w.at.projectId}`;
    expect((await get(url, await cookieFor(outsider.user.id))).status).toBe(404);
    expect((await get(url, await cookieFor(editor.user.id))).status).toBe(403);
    const states = await k.kernel.ownerDb.withTables<{ git_sync_github_states: { project_id: string } }>().selectFrom("git_sync_github_states").select("project_id").where("project_id", "=", w.project.id).execute();
    expect(states).toEqual([]);
  });
});

type GrantRow = { user_id: string; token: string; refresh_token: string | null; expires_at: Date | null; refresh_expires_at: Date | null };
const grantRow = (userId: string) => k.kernel.ownerDb.withTables<{ git_sync_github_grants: GrantRow }>().selectFrom("git_sync_github_grants").selectAll().where("user_id", "=", userId).executeTakeFirst();
const setGrantExpiry = (userId: string, expiresAt: Date, refreshExpiresAt?: Date) =>
  k.kernel.ownerDb
    .withTables<{ git_sync_github_grants: GrantRow }>()
    .updateTable("git_sync_github_grants")
    .set(refreshExpiresAt ? { expires_at: expiresAt, refresh_expires_at: refreshExpiresAt } : { expires_at: expiresAt })
    .where("user_id", "=", userId)
    .execute();
const picked = { available: true, authorized: true, installations: [{ id: 77, account: "acme", repositories: [{ name: "dashboards", fullName: "acme/dashboards", defaultBranch: "main" }] }] };

/** Stores a grant for `userId` as GitHub issues one for `person` (an expiring user token and its refresh token), expiring at `expiresAt`. */
async function expiringGrant(userId: string, person: string, expiresAt: Date) {
  const issued = github.issueUserGrant(person);
  await saveGithubGrant(k.kernel, userId, { accessToken: issued.access_token, expiresAt, refreshToken: issued.refresh_token, refreshExpiresAt: new Date(Date.now() + 86_400_000) });
  return issued;
}

describe("expiring GitHub user tokens", () => {
  test("an install with expiring tokens keeps the refresh token encrypted with both expiries; a token about to expire is refreshed before use, one GitHub answers 401 to is refreshed once, and the picker and connect work", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    oauth.expiring = { expiresIn: 8 * 3600, refreshTokenExpiresIn: 15_897_600 };
    let done;
    try {
      done = await get(callback(await start(w.at, cookie), 77, newCode("ghu_alice")), cookie);
    } finally {
      delete oauth.expiring;
    }
    expect(Object.fromEntries(new URL(done.location!).searchParams)).toEqual({ github: "installed", installationId: "77" });
    const first = await grantRow(w.user.id);
    const refreshToken = github.issuedRefreshTokens.at(-1)!;
    const firstToken = (await githubGrant(k.kernel, w.user.id))!;
    expect(firstToken).toMatch(/^ghu_/);
    expect(first!.refresh_token).not.toBeNull();
    expect(JSON.stringify(first)).not.toContain(refreshToken);
    expect(JSON.stringify(first)).not.toContain(firstToken);
    expect(first!.expires_at!.getTime()).toBeGreaterThan(Date.now() + 7.9 * 3600_000);
    expect(first!.refresh_expires_at!.getTime()).toBeGreaterThan(Date.now() + 180 * 86_400_000);

    // Four minutes left: refreshed before the picker asks GitHub; the new pair is stored, the old token no longer works.
    await setGrantExpiry(w.user.id, new Date(Date.now() + 4 * 60_000));
    const spent = github.refreshes.spent;
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual(picked);
    expect(github.refreshes.spent).toBe(spent + 1);
    const second = await grantRow(w.user.id);
    const secondToken = (await githubGrant(k.kernel, w.user.id))!;
    expect(secondToken).not.toBe(firstToken);
    expect(github.userTokens.has(firstToken)).toBe(false);
    expect(second!.expires_at!.getTime()).toBeGreaterThan(Date.now() + 7.9 * 3600_000);
    // Not due again: used as it is.
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual(picked);
    expect(github.refreshes.spent).toBe(spent + 1);

    // GitHub expired it earlier than it said: the 401 is followed by one refresh, and connecting goes on.
    github.userTokens.get(secondToken)!.expires = Date.now() - 1000;
    repo.commit({ "dashboards/refreshed.yaml": simpleYaml("Refreshed") });
    const connected = await w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" });
    expect(connected.imported).toContain("refreshed");
    expect(github.refreshes.spent).toBe(spent + 2);
    expect(await githubGrant(k.kernel, w.user.id)).not.toBe(secondToken);

    // Neither the refresh tokens nor the user tokens appear in answers or audit data.
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").selectAll().where((eb) => eb.or([eb("org_id", "=", w.org.id), eb("actor_user_id", "=", w.user.id)])).execute();
    expect(audit.length).toBeGreaterThan(0);
    const seen = JSON.stringify([done, connected, await w.caller.gitSync.status(w.at), await w.caller.gitSync.githubRepositories(w.at), audit]);
    for (const secret of [...github.issuedRefreshTokens, firstToken, secondToken, (await githubGrant(k.kernel, w.user.id))!]) expect(seen).not.toContain(secret);
  });

  test("two concurrent calls with an expired grant refresh it once (the single-use refresh token is spent once) and both work", async () => {
    const w = await workspace(k.kernel);
    await expiringGrant(w.user.id, "ghu_alice", new Date(Date.now() - 60_000));
    const before = { ...github.refreshes };
    github.state.refreshDelayMs = 300;
    try {
      const [a, b] = await Promise.all([w.caller.gitSync.githubRepositories(w.at), w.caller.gitSync.githubRepositories(w.at)]);
      expect(a).toEqual(picked);
      expect(b).toEqual(picked);
    } finally {
      github.state.refreshDelayMs = 0;
    }
    expect(github.refreshes).toEqual({ spent: before.spent + 1, refused: before.refused });
    expect((await grantRow(w.user.id))!.expires_at!.getTime()).toBeGreaterThan(Date.now() + 3600_000);
  });

  test("a refresh GitHub refuses deletes the grant: connecting says to authorize again (422 on installationId) and the picker shows not authorized", async () => {
    const w = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, w.user.id, { accessToken: "ghu_gone", expiresAt: new Date(Date.now() - 60_000), refreshToken: "ghr_not-one-github-issued", refreshExpiresAt: new Date(Date.now() + 86_400_000) });
    const refused = github.refreshes.refused;
    const connecting = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" }));
    expect(connecting.code).toBe("UNPROCESSABLE_CONTENT");
    expect(connecting.fields).toEqual({ installationId: [expect.stringMatching(/authorization was revoked or has expired\. Connect with GitHub again/)] });
    expect(github.refreshes.refused).toBe(refused + 1);
    expect(await grantRow(w.user.id)).toBeUndefined();
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual({ available: true, authorized: false, installations: [] });
    expect(await w.caller.gitSync.status(w.at)).toEqual({ connected: false });

    // A refresh token already spent is refused the same way (GitHub's refresh tokens are single use).
    const spent = await expiringGrant(w.user.id, "ghu_alice", new Date(Date.now() - 60_000));
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual(picked);
    await saveGithubGrant(k.kernel, w.user.id, { accessToken: spent.access_token, expiresAt: new Date(Date.now() - 60_000), refreshToken: spent.refresh_token, refreshExpiresAt: new Date(Date.now() + 86_400_000) });
    expect(await w.caller.gitSync.githubRepositories(w.at)).toEqual({ available: true, authorized: false, installations: [] });
    expect(await grantRow(w.user.id)).toBeUndefined();

    // A refresh token past its own expiry is not even sent: the grant goes.
    await expiringGrant(w.user.id, "ghu_alice", new Date(Date.now() - 60_000));
    await setGrantExpiry(w.user.id, new Date(Date.now() - 60_000), new Date(Date.now() - 1000));
    const asked = { ...github.refreshes };
    const expired = await rejectionOf(w.caller.gitSync.connectRepository({ ...w.at, installationId: 77, repository: "dashboards" }));
    expect(expired.fields.installationId?.[0]).toMatch(/Connect with GitHub again/);
    expect(github.refreshes).toEqual(asked);
    expect(await grantRow(w.user.id)).toBeUndefined();
  });
});
