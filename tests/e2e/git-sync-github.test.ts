/**
 * Git sync with a repository on GitHub (a local GitHub-shaped server, laid out as GitHub
 * Enterprise Server: the REST API under /api/v3, the repository over smart HTTP with the token
 * as basic-auth password), in a real browser: an owner connects it with a token, an edit saved
 * in Atrium is committed to their work branch, and "Open pull request" opens one on GitHub whose
 * body links each changed dashboard's preview; asking again shows the same pull request; the
 * trunk is untouched and the token never reaches the page.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemote, serveGithub } from "../../plugins/git-sync/test-repos";
import { createOrganization, createProject, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

const token = "ghp_e2e-pull-request-token-987654321";
let harness: Harness;
let db: pg.Client;
let github: Awaited<ReturnType<typeof serveGithub>>;
let owner: RecordedPage | undefined;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-e2e-git-github-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-e2e-github-"));
const remote = createRemote("main");

const ORG = { name: "Pull Works", slug: "pull-works" };
const PROJECT = { name: "Reviewed boards", slug: "reviewed-boards" };
const dashboard = (title: string) => `title: ${JSON.stringify(title)}\nqueries:\n  one:\n    sql: select 1 as n\ncharts:\n  - id: n\n    type: kpi\n    query: one\n    value: n\n`;

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(remote.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, token);
  harness = await startHarness({ env: { GIT_SYNC_DIR: syncDir, GIT_GITHUB_URL: github.url, GIT_PRIVATE_HOSTS: "allow" } });
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});
afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});
afterAll(async () => {
  await db?.end();
  await harness?.close();
  await github?.close();
  remote.remove();
  rmSync(hostRoot, { recursive: true, force: true });
  rmSync(syncDir, { recursive: true, force: true });
});

describe("git sync with GitHub", () => {
  it("connects with a token, commits an edit and opens a pull request from the Git page, reused when asked again", async () => {
    const first = remote.commit({ "dashboards/sales.yaml": dashboard("Sales") }, "First dashboards");
    owner = await harness.open();
    const { page } = owner;
    const base = harness.server.url;
    await signUpConfirmed(page, base, db, { name: "Pia Pull", email: "pia@pull.test", password: "reviews before merging" });
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);

    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Connect a git repository" }).waitFor();
    await page.getByLabel("Repository address").fill(`${github.url}/acme/dashboards.git`);
    await page.getByLabel("Access token (for private repositories)").fill(token);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent(), { timeout: 20_000 }).toBe(`Last synced commit ${first.slice(0, 12)}`);

    // An edit saved in Atrium (over the API, as an editor or agent would), then committed in the page.
    const { rows } = await db.query<{ org_id: string; project_id: string; version: number }>(
      "select d.org_id, d.project_id, d.version from dashboards_dashboards d join projects p on p.id = d.project_id where p.slug = $1 and d.slug = 'sales'",
      [PROJECT.slug],
    );
    const row = rows[0]!;
    const status = await page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: row.org_id, projectId: row.project_id, slug: "sales", version: row.version, yaml: dashboard("Sales, for review") },
    );
    expect(status).toBe(200);
    await page.reload();
    await page.getByLabel("Commit message").fill("Sales for review");
    await page.getByRole("button", { name: "Commit and push" }).click();
    await page.getByText(/^Committed [0-9a-f]{12} to atrium\/pia-pull and pushed: 1 file\(s\)\.$/).waitFor();

    await page.getByRole("button", { name: "Open pull request" }).click();
    const url = `${github.url}/acme/dashboards/pull/1`;
    await page.getByText(`Opened pull request #1 from atrium/pia-pull: ${url}`).waitFor();
    await expect.poll(() => page.getByTestId("git-pull-request").textContent(), { timeout: 20_000 }).toBe(`Pull request: ${url}`);
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({ head: "atrium/pia-pull", base: "main", state: "open" });
    expect(github.pulls[0]!.body).toContain(`/o/${ORG.slug}/p/${PROJECT.slug}/d/sales?branch=atrium%2Fpia-pull`);

    await page.getByRole("button", { name: "Open pull request" }).click();
    await page.getByText(`The pull request already open #1 from atrium/pia-pull: ${url}`).waitFor();
    expect(github.pulls).toHaveLength(1);
    // The trunk waits for the pull request to be merged on GitHub.
    expect(await page.getByTestId("git-last-sync").textContent()).toBe(`Last synced commit ${first.slice(0, 12)}`);
    expect(await page.content()).not.toContain(token);
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);
});
