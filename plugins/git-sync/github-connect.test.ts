/**
 * Connecting through the GitHub App against the GitHub-shaped test server and real git: the
 * installation id is checked against the person's own GitHub grant (a forged one is a 422 on
 * installationId and nothing is stored), only the id is stored, and every operation (sync,
 * commit to a work branch) mints its own installation token, never stored or shown; a removed
 * installation is a clear 422 at the next operation.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootTestKernel } from "../../tests/setup/database";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { saveGithubGrant } from "./service";
import { createRemote, serveGithub } from "./test-repos";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
let k: Awaited<ReturnType<typeof bootTestKernel>>;
let github: Awaited<ReturnType<typeof serveGithub>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-app-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-github-app-host-"));
const dashboardsRepo = createRemote("main");
const financeRepo = createRemote("main");
const installations = new Map([
  [77, ["dashboards"]],
  [88, ["finance"]],
]);
const ENV = ["GIT_SYNC_DIR", "GIT_GITHUB_URL", "GIT_GITHUB_APP_ID", "GIT_GITHUB_APP_PRIVATE_KEY"] as const;

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(dashboardsRepo.bare, path.join(hostRoot, "acme", "dashboards.git"));
  symlinkSync(financeRepo.bare, path.join(hostRoot, "acme", "finance.git"));
  github = await serveGithub(hostRoot, "unused-personal-token", { id: "4242", publicKey: keys.publicKey, installations, users: new Map([["ghu_alice", [77]], ["ghu_bob", [88]]]) });
  Object.assign(process.env, { GIT_SYNC_DIR: syncDir, GIT_GITHUB_URL: github.url, GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: pem });
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  await github?.close();
  for (const name of ENV) delete process.env[name];
  dashboardsRepo.remove();
  financeRepo.remove();
  rmSync(hostRoot, { recursive: true, force: true });
  rmSync(syncDir, { recursive: true, force: true });
});

const repoRow = (projectId: string) =>
  k.kernel.ownerDb
    .withTables<{ git_sync_repositories: { project_id: string; credential: string | null; auth_kind: string; github_installation_id: number | null } }>()
    .selectFrom("git_sync_repositories")
    .select(["credential", "auth_kind", "github_installation_id"])
    .where("project_id", "=", projectId)
    .executeTakeFirst();

describe("connecting through the GitHub App", () => {
  test("an installation the person's GitHub account reaches connects: only its id is stored, and each sync and commit mints its own installation token", async () => {
    const w = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, w.user.id, "ghu_alice");
    dashboardsRepo.commit({ "dashboards/sales.yaml": simpleYaml("Sales") }, "Add the sales board");
    const minted = () => github.issued.size;
    const before = minted();

    const result = await w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "acme/dashboards" });
    expect(result.imported).toEqual(["sales"]);
    expect(minted()).toBeGreaterThan(before);
    expect(await repoRow(w.project.id)).toEqual({ credential: null, auth_kind: "github_app", github_installation_id: 77 });
    const status = await w.caller.gitSync.status(w.at);
    expect(status).toMatchObject({ connected: true, auth: "github_app", installationId: 77, hasToken: false, remoteUrl: `${github.url}/acme/dashboards.git`, trunk: "main" });

    // A sync mints a new token for its own operation.
    dashboardsRepo.commit({ "dashboards/ops.yaml": simpleYaml("Ops") }, "Add the ops board");
    const beforeSync = minted();
    expect((await w.caller.gitSync.sync(w.at)).imported).toEqual(["ops"]);
    expect(minted()).toBe(beforeSync + 1);

    // A commit pushes the person's work branch with an installation token too.
    await w.caller.dashboards.update({ ...w.at, slug: "sales", yaml: simpleYaml("Sales, edited in Atrium"), version: 1 });
    const commit = await w.caller.gitSync.commit({ ...w.at, message: "Revise sales" });
    expect(commit.committed.map((c) => c.slug)).toEqual(["sales"]);
    expect((await w.caller.gitSync.branches(w.at)).pullRequests).toBe(true);

    // No installation token, nor the person's GitHub token, in answers or audit data.
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).execute();
    expect(audit.find((a) => a.action === "git-sync.connect")?.data).toMatchObject({ auth: "github_app", installationId: 77 });
    const seen = JSON.stringify([result, status, commit, audit]);
    for (const token of [...github.issued.keys(), "ghu_alice"]) expect(seen).not.toContain(token);
  });

  test("a forged or unknown installation id, a repository outside the installation, or no GitHub grant is a 422 and nothing is stored", async () => {
    const w = await workspace(k.kernel);
    const none = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" }));
    expect(none.fields.installationId?.[0]).toMatch(/Authorize Atrium's GitHub App first/);

    await saveGithubGrant(k.kernel, w.user.id, "ghu_alice");
    // Bob's installation, named by Alice (as a forged setup_url query string would).
    const forged = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 88, repository: "finance" }));
    expect(forged).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect(forged.fields.installationId?.[0]).toMatch(/installation 88 is not one your GitHub account can reach/);
    const unknown = await rejectionOf(w.caller.gitSync.connectRepository({ ...w.at, installationId: 999_999, repository: "dashboards" }));
    expect(unknown.fields.installationId?.[0]).toMatch(/not one your GitHub account can reach/);
    const outside = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "finance" }));
    expect(outside.fields.repository?.[0]).toMatch(/finance is not among the repositories/);
    expect(await w.caller.gitSync.status(w.at)).toEqual({ connected: false });
    expect(await repoRow(w.project.id)).toBeUndefined();
  });

  test("hostile input: both forms at once, a token with the app, a missing id or repository, a malformed repository are refused on their field", async () => {
    const w = await workspace(k.kernel);
    const both = await rejectionOf(w.caller.gitSync.connectRepository({ ...w.at, remoteUrl: `${github.url}/acme/dashboards.git`, installationId: 77, repository: "dashboards" }));
    expect(both.fields.remoteUrl?.[0]).toMatch(/not an address/);
    const token = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards", token: "ghp_x" }));
    expect(token.fields.token?.[0]).toMatch(/takes no token/);
    const noId = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", repository: "dashboards" }));
    expect(noId.fields.installationId?.[0]).toMatch(/installation's id/);
    const noRepo = await rejectionOf(w.caller.gitSync.connectRepository({ ...w.at, installationId: 77 }));
    expect(noRepo.fields.repository?.[0]).toMatch(/Name the repository/);
    const noAddress = await rejectionOf(w.caller.gitSync.connect({ ...w.at }));
    expect(noAddress.fields.remoteUrl?.[0]).toMatch(/address/);
    for (const repository of ["../etc", "a/b/c", "x y"]) {
      const bad = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository }));
      expect(bad.fields.repository?.[0]).toMatch(/name or owner\/name/);
    }
    for (const installationId of [-1, 1.5, 2 ** 60]) {
      const bad = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId, repository: "dashboards" }));
      expect(bad.fields.installationId?.length).toBeGreaterThan(0);
    }
    expect(await w.caller.gitSync.status(w.at)).toEqual({ connected: false });
  });

  test("tenancy: a non-member gets 404, a member without git-sync.connect 403, before GitHub is asked", async () => {
    const w = await workspace(k.kernel);
    const outsider = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, outsider.user.id, "ghu_alice");
    const input = { ...w.at, auth: "github_app" as const, installationId: 77, repository: "dashboards" };
    expect((await rejectionOf(outsider.caller.gitSync.connect(input))).code).toBe("NOT_FOUND");
    const editor = await colleague(k.kernel, w.org.id, "editor");
    await saveGithubGrant(k.kernel, editor.user.id, "ghu_alice");
    expect((await rejectionOf(editor.caller.gitSync.connectRepository({ ...w.at, installationId: 77, repository: "dashboards" }))).code).toBe("FORBIDDEN");
    expect(await w.caller.gitSync.status(w.at)).toEqual({ connected: false });
  });

  test("git refusing the minted installation token is a 422 on installationId (the installation no longer grants access), not on token", async () => {
    const w = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, w.user.id, "ghu_alice");
    dashboardsRepo.commit({ "dashboards/refused.yaml": simpleYaml("Refused") });
    github.state.gitRefusesInstallations = true;
    try {
      // Connecting: the check of the remote with the minted token.
      const connecting = await rejectionOf(w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" }));
      expect(connecting.code).toBe("UNPROCESSABLE_CONTENT");
      expect(connecting.fields).toEqual({ installationId: [expect.stringMatching(/installation no longer grants access/)] });
      expect(await repoRow(w.project.id)).toBeUndefined();
    } finally {
      github.state.gitRefusesInstallations = false;
    }
    await w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" });
    await w.caller.dashboards.update({ ...w.at, slug: "refused", yaml: simpleYaml("Refused, edited"), version: 1 });
    github.state.gitRefusesInstallations = true;
    try {
      // A sync's fetch, and a commit's fetch and push.
      const syncing = await rejectionOf(w.caller.gitSync.sync(w.at));
      expect(syncing.fields).toEqual({ installationId: [expect.stringMatching(/installation no longer grants access/)] });
      const committing = await rejectionOf(w.caller.gitSync.commit({ ...w.at, message: "Revise" }));
      expect(committing.fields).toEqual({ installationId: [expect.stringMatching(/installation no longer grants access/)] });
      expect(JSON.stringify([syncing, committing])).not.toMatch(/ghs_/);
    } finally {
      github.state.gitRefusesInstallations = false;
    }
    expect((await w.caller.gitSync.commit({ ...w.at, message: "Revise" })).committed.map((c) => c.slug)).toEqual(["refused"]);
  });

  test("a pull request from an App connection carries an installation token; GitHub refusing it is a 422 on installationId, not on token", async () => {
    const w = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, w.user.id, "ghu_alice");
    dashboardsRepo.commit({ "dashboards/proposed.yaml": simpleYaml("Proposed") });
    await w.caller.gitSync.connect({ ...w.at, auth: "github_app", installationId: 77, repository: "dashboards" });
    await w.caller.dashboards.update({ ...w.at, slug: "proposed", yaml: simpleYaml("Proposed, edited"), version: 1 });
    const commit = await w.caller.gitSync.commit({ ...w.at, message: "Propose" });
    github.state.apiRevoked = true;
    try {
      const refused = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields).toEqual({ installationId: [expect.stringMatching(/installation open pull requests/)] });
    } finally {
      github.state.apiRevoked = false;
    }
    const opened = await w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" });
    expect(opened).toMatchObject({ mode: "pull-request", reused: false });
    expect(github.pulls.at(-1)).toMatchObject({ name: "dashboards", head: commit.branch, base: "main" });
  });

  test("a removed installation is a clear 422 on installationId at the next operation; disconnect forgets it", async () => {
    const w = await workspace(k.kernel);
    await saveGithubGrant(k.kernel, w.user.id, "ghu_bob");
    financeRepo.commit({ "dashboards/cash.yaml": simpleYaml("Cash") });
    await w.caller.gitSync.connectRepository({ ...w.at, installationId: 88, repository: "finance" });
    installations.delete(88);
    try {
      const removed = await rejectionOf(w.caller.gitSync.sync(w.at));
      expect(removed.code).toBe("UNPROCESSABLE_CONTENT");
      expect(removed.fields.installationId?.[0]).toMatch(/no longer installed/);
    } finally {
      installations.set(88, ["finance"]);
    }
    expect(await w.caller.gitSync.disconnect(w.at)).toEqual({ disconnected: true });
    expect(await repoRow(w.project.id)).toBeUndefined();
  });
});
