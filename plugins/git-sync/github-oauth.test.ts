/**
 * Connecting through a person's GitHub OAuth grant, against the GitHub-shaped test server (real
 * git over smart HTTP, an OAuth App's authorize page and code exchange, `/user/repos`):
 * the browser flow over the kernel's HTTP dispatcher (state bound to the person, single use),
 * the picker, connecting a repository the grant reaches, sync, commit and push and a pull request
 * with the person's token per command, and the 422 on `auth` naming who must authorize again
 * when the grant is revoked on GitHub, forgotten here, or its person left the org.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, generateSessionToken } from "~/kernel/auth/session";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import { bootTestKernel } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { oauthGrant, saveOauthGrant } from "./github-oauth";
import { backgroundSync } from "./service";
import { createRemote, serveGithub, type GithubOauthAppDouble } from "./test-repos";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
let github: Awaited<ReturnType<typeof serveGithub>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-oauth-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-github-oauth-host-"));
const dashboardsRepo = createRemote("main");
const financeRepo = createRemote("main");
const ALICE = "gho_alice_oauth_token_1234567890";
const BOB = "gho_bob_oauth_token_0987654321";
const oauthApp: GithubOauthAppDouble = {
  clientId: "Ov23.atriumtest",
  clientSecret: "oauth-client-secret",
  people: new Map(),
  authorizeAs: { token: ALICE },
  asked: [],
};
const resetPeople = () => {
  oauthApp.people.set(ALICE, { login: "alice", repos: ["acme/dashboards", ...Array.from({ length: 120 }, (_, i) => `acme/extra-${i}`)] });
  oauthApp.people.set(BOB, { login: "bob", repos: ["acme/finance"] });
};
const dispatcher = createHttpDispatcher(testPlugins);
const ENV = { GIT_SYNC_DIR: syncDir, GIT_GITHUB_OAUTH_CLIENT_ID: oauthApp.clientId, GIT_GITHUB_OAUTH_CLIENT_SECRET: oauthApp.clientSecret };

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(dashboardsRepo.bare, path.join(hostRoot, "acme", "dashboards.git"));
  symlinkSync(financeRepo.bare, path.join(hostRoot, "acme", "finance.git"));
  resetPeople();
  github = await serveGithub(hostRoot, "unused-personal-token", undefined, oauthApp);
  Object.assign(process.env, ENV, { GIT_GITHUB_URL: github.url });
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  await github?.close();
  for (const name of [...Object.keys(ENV), "GIT_GITHUB_URL"]) delete process.env[name];
  dashboardsRepo.remove();
  financeRepo.remove();
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

const startUrl = (at: { orgId: string; projectId: string }, extra = "") => `${k.kernel.config.publicUrl}/api/git-sync/github/authorize?orgId=${at.orgId}&projectId=${at.projectId}${extra}`;

/** Starts an authorization as `cookie`: GitHub's authorize page (asserted), and the state on it. */
async function start(at: { orgId: string; projectId: string }, cookie: string, extra = ""): Promise<URL> {
  const res = await get(startUrl(at, extra), cookie);
  expect(res.status).toBe(302);
  const url = new URL(res.location!);
  expect(`${url.origin}${url.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
  return url;
}

/** GitHub's authorize page (the test server's): where it sends the person back, as the callback URL with code and state. */
async function authorizeOnGithub(authorizeUrl: URL): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: "manual" });
  expect(res.status).toBe(302);
  return res.headers.get("location")!;
}

type RepoRow = { project_id: string; credential: string | null; auth_kind: string; github_oauth_user_id: string | null };
const repoRow = (projectId: string) =>
  k.kernel.ownerDb.withTables<{ git_sync_repositories: RepoRow }>().selectFrom("git_sync_repositories").select(["credential", "auth_kind", "github_oauth_user_id"]).where("project_id", "=", projectId).executeTakeFirst();

describe("the GitHub OAuth authorization flow", () => {
  test("authorize → GitHub → callback keeps the person's grant encrypted, audits without the token and returns to the Git page; the picker lists their repositories", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const authorize = await start(w.at, cookie);
    expect(authorize.searchParams.get("client_id")).toBe(oauthApp.clientId);
    expect(authorize.searchParams.get("scope")).toBe("public_repo");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${k.kernel.config.publicUrl}/api/git-sync/github/oauth-callback`);
    const state = authorize.searchParams.get("state")!;
    const stored = await k.kernel.ownerDb.withTables<{ git_sync_github_oauth_states: { state_hash: string; user_id: string } }>().selectFrom("git_sync_github_oauth_states").select("state_hash").where("user_id", "=", w.user.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.state_hash).not.toContain(state);

    const done = await get(await authorizeOnGithub(authorize), cookie);
    expect(done.status).toBe(302);
    const back = new URL(done.location!);
    expect(back.pathname).toMatch(/^\/o\/[^/]+\/p\/[^/]+\/git$/);
    expect(Object.fromEntries(back.searchParams)).toEqual({ github: "authorized" });
    expect(await oauthGrant(k.kernel, w.user.id)).toEqual({ token: ALICE, scope: "public_repo", login: "alice" });
    const sealed = await k.kernel.ownerDb.withTables<{ git_sync_github_oauth_grants: { user_id: string; token: string } }>().selectFrom("git_sync_github_oauth_grants").select("token").where("user_id", "=", w.user.id).executeTakeFirstOrThrow();
    expect(sealed.token).not.toContain(ALICE);
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data", "target_id"]).where("action", "=", "git-sync.github-oauth").where("actor_user_id", "=", w.user.id).execute();
    expect(audit).toEqual([{ action: "git-sync.github-oauth", data: { scope: "public_repo" }, target_id: w.project.id }]);

    // The picker: the repositories the grant reaches, two pages of GitHub's answer.
    const choices = await w.caller.gitSync.githubOauthRepositories(w.at);
    expect(choices).toMatchObject({ available: true, authorized: true, login: "alice", scope: "public_repo", truncated: false });
    expect(choices.repositories).toHaveLength(121);
    expect(choices.repositories[0]).toEqual({ fullName: "acme/dashboards", private: false, defaultBranch: "main" });
    // Another person has no grant: not authorized, nothing listed.
    const stranger = await workspace(k.kernel);
    expect(await stranger.caller.gitSync.githubOauthRepositories(stranger.at)).toEqual({ available: true, authorized: false, login: null, scope: null, repositories: [], truncated: false });
    expect(JSON.stringify([choices, audit, done])).not.toContain(ALICE);
  });

  test("private repositories are asked for only on request (scope repo)", async () => {
    const w = await workspace(k.kernel);
    const authorize = await start(w.at, await cookieFor(w.user.id), "&private=1");
    expect(authorize.searchParams.get("scope")).toBe("repo");
  });

  test("a state is single use, and another person's state is refused; neither records a grant", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const callback = await authorizeOnGithub(await start(w.at, cookie));
    expect((await get(callback, cookie)).status).toBe(302);
    const replay = await get(callback, cookie);
    expect(replay).toMatchObject({ status: 400, body: { error: { code: "state_invalid" } } });

    // Mallory's session presents Alice's fresh callback: refused, and Alice's state stays usable.
    const mallory = await colleague(k.kernel, w.org.id, "owner");
    oauthApp.authorizeAs.token = BOB;
    try {
      const fresh = await authorizeOnGithub(await start(w.at, cookie));
      expect(await get(fresh, await cookieFor(mallory.user.id))).toMatchObject({ status: 400, body: { error: { code: "state_invalid" } } });
      expect(await oauthGrant(k.kernel, mallory.user.id)).toBeNull();
      expect((await get(fresh, undefined)).status).toBe(401);
      expect((await get(fresh, cookie)).status).toBe(302);
      expect((await oauthGrant(k.kernel, w.user.id))?.token).toBe(BOB);
    } finally {
      oauthApp.authorizeAs.token = ALICE;
    }
  });

  test("an expired state is refused; a person refusing on GitHub returns to the Git page saying so", async () => {
    const w = await workspace(k.kernel);
    const cookie = await cookieFor(w.user.id);
    const callback = await authorizeOnGithub(await start(w.at, cookie));
    await k.kernel.ownerDb.withTables<{ git_sync_github_oauth_states: { user_id: string; expires_at: Date } }>().updateTable("git_sync_github_oauth_states").set({ expires_at: new Date(Date.now() - 1000) }).where("user_id", "=", w.user.id).execute();
    expect(await get(callback, cookie)).toMatchObject({ status: 400, body: { error: { code: "state_expired" } } });

    oauthApp.authorizeAs.token = null;
    try {
      const denied = await get(await authorizeOnGithub(await start(w.at, cookie)), cookie);
      expect(new URL(denied.location!).searchParams.get("github")).toBe("oauth_denied");
    } finally {
      oauthApp.authorizeAs.token = ALICE;
    }
    expect(await oauthGrant(k.kernel, w.user.id)).toBeNull();
  });

  test("starting needs git-sync.connect on the project: a non-member gets 404, an editor 403, and no state is stored", async () => {
    const w = await workspace(k.kernel);
    const outsider = await workspace(k.kernel);
    const editor = await colleague(k.kernel, w.org.id, "editor");
    expect((await get(startUrl(w.at), await cookieFor(outsider.user.id))).status).toBe(404);
    expect((await get(startUrl(w.at), await cookieFor(editor.user.id))).status).toBe(403);
    const states = await k.kernel.ownerDb.withTables<{ git_sync_github_oauth_states: { project_id: string } }>().selectFrom("git_sync_github_oauth_states").select("project_id").where("project_id", "=", w.project.id).execute();
    expect(states).toEqual([]);
  });
});

describe("a connection through the person's GitHub OAuth grant", () => {
  test("connect, sync, commit and push, and a pull request all carry the person's token per command; it is never in .git/config, answers or audit data", async () => {
    const w = await workspace(k.kernel);
    await k.kernel.ownerDb.updateTable("users").set({ name: "Alice Liddell" }).where("id", "=", w.user.id).execute();
    await saveOauthGrant(k.kernel, w.user.id, { token: ALICE, scope: "public_repo", login: "alice" });
    dashboardsRepo.commit({ "dashboards/sales.yaml": simpleYaml("Sales") }, "Add the sales board");

    const result = await w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/dashboards" });
    expect(result.imported).toEqual(["sales"]);
    expect(await repoRow(w.project.id)).toEqual({ credential: null, auth_kind: "github_oauth", github_oauth_user_id: w.user.id });
    const status = await w.caller.gitSync.status(w.at);
    expect(status).toMatchObject({ connected: true, auth: "github_oauth", oauthPerson: "Alice Liddell", hasToken: false, installationId: null, remoteUrl: `${github.url}/acme/dashboards.git`, trunk: "main" });

    // A colleague's sync uses the connecting person's grant.
    const editor = await colleague(k.kernel, w.org.id, "editor");
    dashboardsRepo.commit({ "dashboards/ops.yaml": simpleYaml("Ops") }, "Add the ops board");
    const basic = `Basic ${Buffer.from(`x-access-token:${ALICE}`).toString("base64")}`;
    const before = github.requests.length;
    expect((await editor.caller.gitSync.sync(w.at)).imported).toEqual(["ops"]);
    expect(github.requests.slice(before).some((r) => r.includes("/acme/dashboards.git/") && r.endsWith(basic))).toBe(true);

    // Commit and push the person's work branch with the grant.
    await w.caller.dashboards.update({ ...w.at, slug: "sales", yaml: simpleYaml("Sales, edited in Atrium"), version: 1 });
    const beforePush = github.requests.length;
    const commit = await w.caller.gitSync.commit({ ...w.at, message: "Revise sales" });
    expect(commit.committed.map((c) => c.slug)).toEqual(["sales"]);
    expect(github.requests.slice(beforePush).some((r) => r.startsWith("POST /acme/dashboards.git/git-receive-pack") && r.endsWith(basic))).toBe(true);
    const pushed = readFileSync(path.join(dashboardsRepo.bare, "refs", "heads", ...commit.branch.split("/")), "utf8").trim();
    expect(pushed).toBe(commit.commitSha);

    // GitHub's API refusing the grant: a 422 on auth naming the person, not on token.
    github.state.apiRevoked = true;
    try {
      const refused = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" }));
      expect(refused.fields).toEqual({ auth: [expect.stringMatching(/GitHub refused Alice Liddell's GitHub authorization/)] });
    } finally {
      github.state.apiRevoked = false;
    }
    // A pull request opened with the grant.
    const pr = await w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" });
    expect(pr).toMatchObject({ mode: "pull-request", reused: false });
    expect(github.requests.some((r) => r.startsWith("POST /api/v3/repos/acme/dashboards/pulls") && r.endsWith(`Bearer ${ALICE}`))).toBe(true);

    // The token is in no file of the clone's config, no answer, no audit entry.
    const config = readFileSync(path.join(syncDir, `${w.project.id}.git`, "config"), "utf8");
    expect(config).not.toContain(ALICE);
    expect(config).not.toContain(basic.slice(6));
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).execute();
    expect(audit.find((a) => a.action === "git-sync.connect")?.data).toMatchObject({ auth: "github_oauth" });
    const seen = JSON.stringify([result, status, commit, pr, audit, await w.caller.gitSync.branches(w.at)]);
    expect(seen).not.toContain(ALICE);
    expect(seen).not.toContain(basic.slice(6));
  });

  test("a repository the grant does not reach is a 422 on repository; no grant is a 422 on auth; nothing is stored", async () => {
    const w = await workspace(k.kernel);
    const none = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/dashboards" }));
    expect(none.fields.auth?.[0]).toMatch(/Authorize Atrium with GitHub first/);
    await saveOauthGrant(k.kernel, w.user.id, { token: ALICE, scope: "public_repo", login: "alice" });
    const outside = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/finance" }));
    expect(outside.fields.repository?.[0]).toMatch(/acme\/finance is not a repository your GitHub authorization reaches/);
    const token = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/dashboards", token: "ghp_x" }));
    expect(token.fields.token?.[0]).toMatch(/takes no token/);
    const bare = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "dashboards" }));
    expect(bare.fields.repository?.[0]).toMatch(/owner\/name/);
    const address = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", remoteUrl: `${github.url}/acme/dashboards.git`, repository: "acme/dashboards" }));
    expect(address.fields.remoteUrl?.[0]).toMatch(/not an address/);
    expect(await repoRow(w.project.id)).toBeUndefined();
  });

  test("a grant revoked on GitHub, forgotten here, or whose person left the org: operations answer a 422 on auth naming who must authorize again; disconnect drops the connection", async () => {
    const w = await workspace(k.kernel);
    await k.kernel.ownerDb.updateTable("users").set({ name: "Bob Builder" }).where("id", "=", w.user.id).execute();
    const owner = await colleague(k.kernel, w.org.id, "owner");
    await saveOauthGrant(k.kernel, w.user.id, { token: BOB, scope: "repo", login: "bob" });
    financeRepo.commit({ "dashboards/cash.yaml": simpleYaml("Cash") });
    await w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/finance" });

    // Revoked on GitHub: git refuses the token.
    oauthApp.people.delete(BOB);
    try {
      const revoked = await rejectionOf(owner.caller.gitSync.sync(w.at));
      expect(revoked.code).toBe("UNPROCESSABLE_CONTENT");
      expect(revoked.fields.auth?.[0]).toMatch(/GitHub refused Bob Builder's GitHub authorization.*Bob Builder must connect with GitHub \(OAuth\) again/);
      const commit = await rejectionOf(owner.caller.gitSync.commit({ ...w.at, message: "Nothing" }));
      expect(commit.fields.auth?.[0]).toMatch(/Bob Builder/);
      expect(JSON.stringify(revoked)).not.toContain(BOB);
      // A background sync (webhook, sweep) records the same answer for the people who look.
      expect(await backgroundSync(k.kernel, w.at)).toBeNull();
      const status = await owner.caller.gitSync.status(w.at);
      expect(status.connected && status.lastError).toMatch(/Bob Builder must connect with GitHub \(OAuth\) again/);
      expect(JSON.stringify(status)).not.toContain(BOB);
    } finally {
      resetPeople();
    }
    expect((await owner.caller.gitSync.sync(w.at)).commitSha).toMatch(/^[0-9a-f]{40}$/);

    // Forgotten here (the person signs out of GitHub in Atrium).
    expect(await w.caller.gitSync.githubOauthForget(w.at)).toEqual({ forgotten: true });
    expect(await oauthGrant(k.kernel, w.user.id)).toBeNull();
    expect(await w.caller.gitSync.githubOauthForget(w.at)).toEqual({ forgotten: false });
    const forgotten = await rejectionOf(owner.caller.gitSync.sync(w.at));
    expect(forgotten.fields.auth?.[0]).toMatch(/Bob Builder's GitHub authorization for this repository was removed/);
    await saveOauthGrant(k.kernel, w.user.id, { token: BOB, scope: "repo", login: "bob" });

    // The person leaves the org: their grant no longer serves it.
    await k.kernel.ownerDb.deleteFrom("memberships").where("org_id", "=", w.org.id).where("user_id", "=", w.user.id).execute();
    const left = await rejectionOf(owner.caller.gitSync.sync(w.at));
    expect(left.fields.auth?.[0]).toMatch(/Bob Builder connected this repository with their GitHub authorization and is no longer a member/);
    expect(await owner.caller.gitSync.status(w.at)).toMatchObject({ auth: "github_oauth", oauthPerson: "Bob Builder" });

    expect(await owner.caller.gitSync.disconnect(w.at)).toEqual({ disconnected: true });
    expect(await repoRow(w.project.id)).toBeUndefined();
  });

  test("a grant GitHub revoked is forgotten when the picker or connecting finds out", async () => {
    const w = await workspace(k.kernel);
    await saveOauthGrant(k.kernel, w.user.id, { token: "gho_revoked_long_ago", scope: "repo", login: "ghost" });
    expect(await w.caller.gitSync.githubOauthRepositories(w.at)).toMatchObject({ available: true, authorized: false });
    expect(await oauthGrant(k.kernel, w.user.id)).toBeNull();
    await saveOauthGrant(k.kernel, w.user.id, { token: "gho_revoked_long_ago", scope: "repo", login: "ghost" });
    const refused = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_oauth", repository: "acme/dashboards" }));
    expect(refused.fields.auth?.[0]).toMatch(/no longer accepts your authorization/);
    expect(await oauthGrant(k.kernel, w.user.id)).toBeNull();
  });

  test("connect_repository never connects through an OAuth grant", async () => {
    const w = await workspace(k.kernel);
    await saveOauthGrant(k.kernel, w.user.id, { token: ALICE, scope: "public_repo", login: "alice" });
    // It has no auth argument: a repository without an installation is not an OAuth connection.
    const refused = await rejectionOf(w.caller.gitSync.connectRepository({ ...w.at, repository: "acme/dashboards" }));
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await repoRow(w.project.id)).toBeUndefined();
  });
});
