/**
 * Git sync in a real browser: an owner opens a project's Git tab, tests and connects a local
 * bare repository (the server allows local remotes here), sees the trunk imported and the file
 * that failed validation listed with its line, then, after a push from outside Atrium, clicks
 * Sync now and sees the new commit imported.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemote } from "../../plugins/git-sync/test-repos";
import { createOrganization, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let db: pg.Client;
let owner: RecordedPage | undefined;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-e2e-git-sync-"));
const remote = createRemote("main");

const ORG = { name: "Git Works", slug: "git-works" };
const PROJECT = { name: "Versioned boards", slug: "versioned-boards" };

const dashboard = (title: string) => `title: ${JSON.stringify(title)}
queries:
  one:
    sql: select 1 as n
charts:
  - id: n
    type: kpi
    query: one
    value: n
`;

beforeAll(async () => {
  harness = await startHarness({ env: { GIT_ALLOW_LOCAL_REMOTES: "true", GIT_SYNC_DIR: syncDir } });
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});
afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});
afterAll(async () => {
  await db?.end();
  await harness?.close();
  remote.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

describe("git sync", () => {
  it("connects a repository from the Git tab, lists the bad file with its line, and syncs a push from outside", async () => {
    const first = remote.commit(
      { "dashboards/sales.yaml": dashboard("Sales"), "dashboards/broken.yaml": "title: Broken\ncharts:\n  - id: a\n    type: pie-ish\n    query: nope\n" },
      "First dashboards",
    );
    owner = await harness.open();
    const { page } = owner;
    const base = harness.server.url;
    await signUpConfirmed(page, base, db, { name: "Gita Sync", email: "gita@git.test", password: "commits all the way down" });
    await createOrganization(page, base, ORG);
    await page.getByRole("button", { name: "New project" }).click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Project name").fill(PROJECT.name);
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}`);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Git" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Connect a git repository" }).waitFor();
    await page.getByLabel("Repository address").fill(remote.url);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(`The repository answers; main is at ${first.slice(0, 12)}.`).waitFor();
    await page.getByRole("button", { name: "Connect", exact: true }).click();

    await page.getByRole("heading", { name: "Repository", exact: true }).waitFor();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent()).toBe(`Last synced commit ${first.slice(0, 12)}`);
    const notImported = page.getByRole("list", { name: "Files not imported" });
    await expect.poll(() => notImported.textContent()).toContain("dashboards/broken.yaml:4");
    expect(await notImported.textContent()).toMatch(/pie-ish/);

    const pushed = remote.commit({ "dashboards/sales.yaml": dashboard("Sales, revised") }, "Revise sales");
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(`Synced ${pushed.slice(0, 12)}: 1 imported, 0 removed, 0 unchanged.`).waitFor();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent()).toBe(`Last synced commit ${pushed.slice(0, 12)}`);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Dashboards" }).click();
    await page.getByRole("link", { name: "Sales, revised", exact: true }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);
});
