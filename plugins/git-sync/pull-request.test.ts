/**
 * Promote as a GitHub pull request, against a local GitHub-shaped server (GitHub Enterprise
 * Server's layout: the REST API under /api/v3, the repository over smart HTTP with the token as
 * basic-auth password) and the real git binary: the work branch gets a pull request into the
 * trunk whose body lists the changed dashboards with their previews in Atrium; asking again
 * reuses it; the trunk is untouched; the token stays out of answers, audit and the Git page.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootTestKernel } from "../../tests/setup/database";
import { rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import type { PromoteResult } from "./branches";
import { githubRepositoryOf, githubSite } from "./github";
import type { PullRequestResult } from "./pull-request";
import { createRemote, serveGithub } from "./test-repos";

const token = "ghs_pull-request-token-0123456789";
let k: Awaited<ReturnType<typeof bootTestKernel>>;
let github: Awaited<ReturnType<typeof serveGithub>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-pr-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-github-"));
const remote = createRemote("main");

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(remote.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, token);
  process.env.GIT_GITHUB_URL = github.url;
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  await github?.close();
  delete process.env.GIT_GITHUB_URL;
  remote.remove();
  rmSync(hostRoot, { recursive: true, force: true });
  rmSync(syncDir, { recursive: true, force: true });
});

function pullRequest(result: PromoteResult | PullRequestResult): PullRequestResult {
  if (result.mode !== "pull-request") throw new Error(`expected a pull request, got ${result.mode}`);
  return result;
}

describe("GitHub's address", () => {
  test("github.com's API is api.github.com; an Enterprise Server's is <url>/api/v3; only remotes on that site are GitHub repositories", () => {
    expect(githubSite({})).toEqual({ baseUrl: "https://github.com", apiUrl: "https://api.github.com" });
    const ghes = githubSite({ GIT_GITHUB_URL: "https://git.example.com/" });
    expect(ghes).toEqual({ baseUrl: "https://git.example.com", apiUrl: "https://git.example.com/api/v3" });
    expect(githubRepositoryOf("https://git.example.com/acme/dashboards.git", ghes)).toEqual({ owner: "acme", name: "dashboards" });
    expect(githubRepositoryOf("https://github.com/acme/dashboards", githubSite({}))).toEqual({ owner: "acme", name: "dashboards" });
    for (const url of ["https://evil.example.com/acme/dashboards.git", "https://git.example.com/acme/x/y.git", "https://git.example.com/acme", "file:///srv/acme.git"]) {
      expect(githubRepositoryOf(url, ghes)).toBeNull();
    }
  });
});

describe("promote as a pull request", () => {
  test("opens a pull request listing the changed dashboards with preview links, reuses it when asked again, leaves the trunk alone and never shows the token", async () => {
    const w = await workspace(k.kernel);
    const org = await k.kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", w.org.id).executeTakeFirstOrThrow();
    const trunk = remote.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: `${github.url}/acme/dashboards.git`, token });

    await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, edited in Atrium"), version: 1 });
    await w.caller.dashboards.create({ ...w.at, slug: "fresh", yaml: simpleYaml("Fresh") });
    const commit = await w.caller.gitSync.commit({ ...w.at, message: "Revise A, add Fresh" });

    const bad = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "squash" as "merge" }));
    expect(bad.code).toBe("UNPROCESSABLE_CONTENT");
    expect(bad.fields.mode).toBeDefined();

    const pr = pullRequest(await w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" }));
    expect(pr).toMatchObject({ mode: "pull-request", branch: commit.branch, number: 1, reused: false, url: `${github.url}/acme/dashboards/pull/1` });
    expect(github.pulls).toHaveLength(1);
    const opened = github.pulls[0]!;
    expect(opened).toMatchObject({ head: commit.branch, base: "main", state: "open" });
    expect(opened.title).toContain(commit.branch);
    expect(opened.body).toContain("| Dashboard | File | Change | Preview in Atrium |");
    expect(opened.body).toContain("| a | `dashboards/a.yaml` | changed |");
    expect(opened.body).toContain("| fresh | `dashboards/fresh.yaml` | added |");
    expect(opened.body).toContain(`(${k.kernel.config.publicUrl}/o/${org.slug}/p/${w.project.slug}/d/fresh?branch=${encodeURIComponent(commit.branch)})`);

    // The trunk has not moved: it moves when the pull request is merged on GitHub.
    expect((await w.caller.gitSync.status(w.at)) as { trunkSha?: string }).toMatchObject({ trunkSha: trunk });

    const again = await w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" });
    expect(again).toMatchObject({ url: pr.url, number: 1, reused: true });
    expect(github.pulls).toHaveLength(1);

    const view = await w.caller.gitSync.branches(w.at);
    expect(view.branches.find((b) => b.name === commit.branch)?.pullRequestUrl).toBe(pr.url);

    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).execute();
    expect(audit.filter((a) => a.action === "git-sync.pull-request")).toHaveLength(2);
    expect(JSON.stringify([pr, again, view, audit])).not.toContain(token);
    expect(github.requests.filter((line) => line.startsWith("POST /api/v3/repos/acme/dashboards/pulls"))).toHaveLength(1);

    // A token GitHub's API refuses (revoked): a clear 422 on token, nothing stored, the token not repeated.
    github.state.apiRevoked = true;
    try {
      const revoked = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" }));
      expect(revoked.code).toBe("UNPROCESSABLE_CONTENT");
      expect(revoked.fields.token?.[0]).toMatch(/refused the repository's token/);
      expect(JSON.stringify(revoked)).not.toContain(token);
    } finally {
      github.state.apiRevoked = false;
    }
  });

  test("a repository that is not on the configured GitHub is a clear 422 on mode", async () => {
    const w = await workspace(k.kernel);
    process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
    const elsewhere = createRemote("main");
    try {
      elsewhere.commit({ "dashboards/a.yaml": simpleYaml("A") });
      await w.caller.gitSync.connect({ ...w.at, remoteUrl: elsewhere.url });
      await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A2"), version: 1 });
      const commit = await w.caller.gitSync.commit({ ...w.at, message: "A2" });
      const refused = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: commit.branch, mode: "pull_request" }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields.mode?.[0]).toMatch(/opened on GitHub/);
    } finally {
      delete process.env.GIT_ALLOW_LOCAL_REMOTES;
      elsewhere.remove();
    }
  });
});
