/**
 * Git sync in a real browser: an owner opens a project's Git tab, tests and connects a local
 * bare repository (the server allows local remotes here), sees the trunk imported and the file
 * that failed validation listed with its line, then, after a push from outside Atrium, clicks
 * Sync now and sees the new commit imported. Then edits made in Atrium (over the API, as an agent
 * or the editor saves) meet a change pushed from outside: the conflict is resolved in the
 * browser with merged YAML (an invalid one refused under its field first), the changes are
 * committed to the person's work branch and pushed, and the branch is promoted into the trunk; a
 * later edit is discarded (confirmed) and the trunk's file is back. Last, a save in the editor
 * based on a version older than one git imported meanwhile is refused, and the dialog names git's
 * commit, compares git's version with mine and links to the Git page. And `?branch=` draws the
 * dashboard as a branch holds it, its charts run with the branch's SQL in the live charts' place,
 * until "Back to the live dashboard".
 */
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemote } from "../../plugins/git-sync/test-repos";
import { createOrganization, createProject, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

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
    await createProject(page, base, ORG.slug, PROJECT);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Git" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Connect a git repository" }).waitFor();
    await page.getByLabel("Repository address").fill(remote.url);
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(`The repository answers; main is at ${first.slice(0, 12)}.`).waitFor();
    await page.getByRole("button", { name: "Connect", exact: true }).click();

    await page.getByRole("heading", { name: "Repository", exact: true }).waitFor();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent(), { timeout: 20_000 }).toBe(`Last synced commit ${first.slice(0, 12)}`);
    const notImported = page.getByRole("list", { name: "Files not imported" });
    await expect.poll(() => notImported.textContent(), { timeout: 20_000 }).toContain("dashboards/broken.yaml:4");
    expect(await notImported.textContent()).toMatch(/pie-ish/);

    const pushed = remote.commit({ "dashboards/sales.yaml": dashboard("Sales, revised") }, "Revise sales");
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(`Synced ${pushed.slice(0, 12)}: 1 imported, 0 removed, 0 unchanged.`).waitFor();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent(), { timeout: 20_000 }).toBe(`Last synced commit ${pushed.slice(0, 12)}`);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Dashboards" }).click();
    await page.getByRole("link", { name: "Sales, revised", exact: true }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);

  it("resolves a conflict in the browser, commits the person's changes to their branch and promotes it", async () => {
    const { page } = owner!;
    const base = harness.server.url;
    const ops = remote.commit({ "dashboards/ops.yaml": dashboard("Ops") }, "Add ops");
    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);

    // The push webhook: its secret shown once; the server answers a delivery signed with it.
    await page.getByRole("button", { name: "Set up a webhook" }).click();
    const hookUrl = await page.getByLabel("Payload URL").inputValue();
    const secret = await page.getByLabel("Secret", { exact: true }).inputValue();
    const ping = JSON.stringify({ zen: "Design for failure." });
    const pinged = await fetch(hookUrl.replace(/^https?:\/\/[^/]+/, base), {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "e2e-ping", "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(ping).digest("hex")}` },
      body: ping,
    });
    expect(pinged.status).toBe(200);
    await page.getByRole("button", { name: "Replace the webhook secret" }).waitFor();
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(`Synced ${ops.slice(0, 12)}: 1 imported`).waitFor();

    // Two edits saved in Atrium through the API (as the editor or an agent would), then ops changes in git too.
    const { rows } = await db.query<{ org_id: string; project_id: string; slug: string; version: number }>(
      "select d.org_id, d.project_id, d.slug, d.version from dashboards_dashboards d join projects p on p.id = d.project_id where p.slug = $1 and d.deleted_at is null",
      [PROJECT.slug],
    );
    for (const [slug, title] of [["sales", "Sales, edited in Atrium"], ["ops", "Ops, edited in Atrium"]] as const) {
      const row = rows.find((r) => r.slug === slug)!;
      const status = await page.evaluate(
        async (input) => (await fetch("/api/trpc/dashboards.update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
        { orgId: row.org_id, projectId: row.project_id, slug, version: row.version, yaml: dashboard(title) },
      );
      expect(status).toBe(200);
    }
    const theirs = remote.commit({ "dashboards/ops.yaml": dashboard("Ops, changed in git") }, "Ops from outside");

    await page.reload();
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.getByText(`Synced ${theirs.slice(0, 12)}: 0 imported, 0 removed, 1 unchanged. 1 in conflict: see Conflicts.`).waitFor();
    const conflicts = page.getByRole("region", { name: "Conflicts" });
    const item = conflicts.getByRole("article", { name: "dashboards/ops.yaml" });
    await item.waitFor();
    expect(await item.textContent()).toContain("Ops, changed in git");
    expect(await item.textContent()).toContain("Ops, edited in Atrium");

    await item.getByRole("button", { name: "Edit merged" }).click();
    const merged = item.getByRole("textbox", { name: "Merged YAML" });
    await merged.fill("title: Broken\ncharts:\n  - id: a\n    type: pie-ish\n    query: nope\n");
    await item.getByRole("button", { name: "Save merged" }).click();
    await expect.poll(() => merged.getAttribute("aria-invalid"), { timeout: 20_000 }).toBe("true");
    expect(await item.textContent()).toMatch(/Line 4: .*pie-ish/);
    await merged.fill(dashboard("Ops, merged"));
    await item.getByRole("button", { name: "Save merged" }).click();
    await conflicts.waitFor({ state: "detached" });

    const changes = page.getByRole("list", { name: "Your changes" });
    await expect.poll(() => changes.textContent(), { timeout: 20_000 }).toContain("dashboards/ops.yaml");
    expect(await changes.textContent()).toContain("dashboards/sales.yaml");
    await page.getByLabel("Commit message").fill("Sales and ops from the app");
    await page.getByRole("button", { name: "Commit and push" }).click();
    await page.getByText(/^Committed [0-9a-f]{12} to atrium\/gita-sync and pushed: 2 file\(s\)\.$/).waitFor();
    await expect.poll(() => page.getByTestId("git-branch-facts").textContent(), { timeout: 20_000 }).toMatch(/atrium\/gita-sync at [0-9a-f]{12}1 ahead, 0 behind main/);
    expect(await page.getByLabel("Branch", { exact: true }).inputValue()).toBe("atrium/gita-sync");
    const git = (...args: string[]) => execFileSync("git", ["--git-dir", remote.bare, ...args], { encoding: "utf8" }).trim();
    expect(git("log", "-1", "--format=%an|%s", "atrium/gita-sync")).toBe("Gita Sync|Sales and ops from the app");

    // In another tab, the ops board as the app shows it now: the work branch and its commit that hold it, and the trunk commit it came from.
    const tab = await owner!.context.newPage();
    await tab.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/d/ops`);
    await expect.poll(() => tab.getByTestId("git-branch-origin").textContent(), { timeout: 20_000 }).toBe(`On branch: atrium/gita-sync @ ${git("rev-parse", "atrium/gita-sync").slice(0, 12)} (not promoted yet)`);
    expect(await tab.getByTestId("git-origin").textContent()).toBe(`From git: main @ ${theirs.slice(0, 12)} (edited since)`);
    await tab.close();

    await page.getByRole("button", { name: "Promote to main" }).click();
    await page.getByText(/^Promoted atrium\/gita-sync into the trunk \(fast-forward\); the trunk is at [0-9a-f]{12}\.$/).waitFor();
    expect(git("show", "main:dashboards/ops.yaml")).toContain("Ops, merged");
    expect(git("show", "main:dashboards/sales.yaml")).toContain("Sales, edited in Atrium");
    await page.getByLabel("Branch", { exact: true }).selectOption("main");
    await expect.poll(() => page.getByTestId("git-branch-facts").textContent(), { timeout: 20_000 }).toContain(`at ${git("rev-parse", "main").slice(0, 12)}`);

    // An edit saved and then not wanted: Discard my changes (confirmed) puts the trunk's file back.
    const salesNow = await db.query<{ org_id: string; project_id: string; version: number }>(
      "select d.org_id, d.project_id, d.version from dashboards_dashboards d join projects p on p.id = d.project_id where p.slug = $1 and d.slug = 'sales' and d.deleted_at is null",
      [PROJECT.slug],
    );
    const sales = salesNow.rows[0]!;
    const updated = await page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: sales.org_id, projectId: sales.project_id, slug: "sales", version: sales.version, yaml: dashboard("Sales, not wanted after all") },
    );
    expect(updated).toBe(200);
    await page.reload();
    await expect.poll(() => page.getByRole("list", { name: "Your changes" }).textContent(), { timeout: 20_000 }).toContain("dashboards/sales.yaml");
    await page.getByRole("button", { name: "Discard my changes" }).click();
    await page.getByRole("dialog", { name: "Discard your changes?" }).getByRole("button", { name: "Discard my changes" }).click();
    await page.getByText("Discarded 1 change(s): back to main.").waitFor();
    await page.getByText("No saved changes to commit.").waitFor();
    const salesAfter = await db.query<{ yaml: string }>("select yaml from dashboards_dashboards where project_id = $1 and slug = 'sales' and deleted_at is null", [sales.project_id]);
    expect(salesAfter.rows[0]!.yaml).toContain("Sales, edited in Atrium");
    expect(owner!.unexpectedProblems([{ path: /^\/api\/trpc\/gitSync\.resolveConflict/, status: 422 }])).toEqual([]);
  }, 120_000);

  it("refuses an editor's save based on a version older than git's import, naming the commit, with the merge view and a link to the Git page", async () => {
    const { page } = owner!;
    const base = harness.server.url;
    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/d/sales/edit`);
    await waitForHydration(page);
    const editor = page.getByRole("textbox", { name: "Dashboard YAML" });
    await expect.poll(() => editor.evaluate((el) => el.textContent ?? "")).toContain("Sales, edited in Atrium");

    // Meanwhile git changes the board and a sync imports it.
    const pushed = remote.commit({ "dashboards/sales.yaml": dashboard("Sales, changed in git meanwhile") }, "Sales from outside again");
    const { rows } = await db.query<{ org_id: string; id: string }>("select org_id, id from projects where slug = $1", [PROJECT.slug]);
    const synced = await page.evaluate(
      async (input) => (await fetch("/api/trpc/gitSync.sync", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: rows[0]!.org_id, projectId: rows[0]!.id },
    );
    expect(synced).toBe(200);

    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(dashboard("Sales, my edit on the old version"));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const conflict = page.getByRole("dialog", { name: "Someone saved a newer version" });
    const stale = conflict.getByTestId("git-stale");
    await expect.poll(() => stale.textContent(), { timeout: 20_000 }).toContain(`main @ ${pushed.slice(0, 12)} (dashboards/sales.yaml)`);
    await conflict.getByRole("button", { name: "Compare" }).click();
    await expect.poll(() => conflict.locator(".cm-mergeView").innerText(), { timeout: 20_000 }).toContain("Sales, changed in git meanwhile");
    expect(await conflict.locator(".cm-mergeView").innerText()).toContain("Sales, my edit on the old version");
    // Leaving with unsaved text asks first; the person agrees.
    page.once("dialog", (question) => void question.accept());
    await stale.getByRole("link", { name: "see it on the Git page" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Repository", exact: true }).waitFor();
    expect(owner!.unexpectedProblems([{ path: /^\/api\/trpc\/dashboards\.update/, status: 409 }, { path: /^\/api\/trpc\/gitSync\.resolveConflict/, status: 422 }])).toEqual([]);
  }, 120_000);
  it("shows a dashboard as any branch holds it (?branch=) with its charts drawn from the branch's queries in the live charts' place, switches branches, goes back to the live dashboard, and says so in place when a branch does not exist", async () => {
    const { page } = owner!;
    const base = harness.server.url;
    const git = (...args: string[]) => execFileSync("git", ["--git-dir", remote.bare, ...args], { encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).trim();
    const work = git("for-each-ref", "--format=%(refname:short)", "refs/heads/atrium/");
    expect(work).toBe("atrium/gita-sync");
    // The work branch moves on in git; the trunk stays: each shows its own file.
    const clone = mkdtempSync(path.join(tmpdir(), "atrium-e2e-branch-"));
    const inClone = (...args: string[]) => execFileSync("git", args, { cwd: clone, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "Outside", GIT_AUTHOR_EMAIL: "outside@git.test", GIT_COMMITTER_NAME: "Outside", GIT_COMMITTER_EMAIL: "outside@git.test" } }).trim();
    inClone("clone", "--quiet", "--branch", work, remote.bare, ".");
    // Its chart has a title and SQL only the branch has.
    const branchYaml = dashboard("Sales, only on Gita's branch").replace("select 1 as n", "select 4242 as n").replace("  - id: n\n", "  - id: n\n    title: Orders only on Gita's branch\n");
    expect(branchYaml).toContain("title: Orders only on Gita's branch");
    writeFileSync(path.join(clone, "dashboards/sales.yaml"), branchYaml);
    inClone("commit", "--quiet", "-am", "Sales on the branch");
    inClone("push", "--quiet", "origin", `HEAD:refs/heads/${work}`);
    const onBranch = inClone("rev-parse", "HEAD");
    rmSync(clone, { recursive: true, force: true });
    const trunkSha = git("rev-parse", "main");

    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/d/sales?branch=main`);
    await waitForHydration(page);
    const view = page.getByRole("region", { name: "Branch view" });
    await expect.poll(() => view.getByTestId("git-branch-view").textContent(), { timeout: 20_000 }).toContain(`On branch main @ ${trunkSha.slice(0, 12)}`);
    expect(await view.locator("pre").textContent()).toContain("Sales, changed in git meanwhile");
    // The trunk's dashboard is drawn in the live charts' place: its own chart, and no live one beside it.
    const trunkCharts = view.getByRole("region", { name: "Charts on main" });
    await trunkCharts.getByRole("heading", { name: "Sales, changed in git meanwhile" }).waitFor();
    await expect.poll(() => trunkCharts.getByTestId("git-branch-run-status").textContent(), { timeout: 20_000 }).toBe("The branch's queries ran just now.");
    expect(await page.locator("[data-chart]").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Refresh", exact: true }).count()).toBe(0);

    await view.getByLabel("Branch").selectOption(work);
    await page.waitForURL(/branch=atrium%2Fgita-sync/);
    await expect.poll(() => view.getByTestId("git-branch-view").textContent(), { timeout: 20_000 }).toContain(`On branch ${work} @ ${onBranch.slice(0, 12)}`);
    expect(await view.locator("pre").textContent()).toContain("Sales, only on Gita's branch");
    // The branch's chart, run with the branch's SQL; the file stays behind "Show the file".
    const branchCharts = view.getByRole("region", { name: `Charts on ${work}` });
    await branchCharts.getByRole("heading", { name: "Sales, only on Gita's branch" }).waitFor();
    const branchChart = branchCharts.getByRole("article", { name: "Orders only on Gita's branch" });
    await expect.poll(() => branchChart.textContent(), { timeout: 20_000 }).toMatch(/4[,.\s\u00a0\u202f]?242/);
    expect(await page.locator("[data-chart]").count()).toBe(1);
    expect(await view.locator("pre").isVisible()).toBe(false);
    await view.getByText("Show the file").click();
    expect(await view.locator("pre").isVisible()).toBe(true);
    // Back to the live dashboard: the branch view goes, the live chart and Refresh come back.
    await view.getByRole("link", { name: "Back to the live dashboard" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Branch view" }).count()).toBe(0);
    await page.getByRole("button", { name: "Refresh", exact: true }).waitFor();
    await expect.poll(() => page.locator("[data-chart]").count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByRole("article", { name: "Orders only on Gita's branch" }).count()).toBe(0);

    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/d/sales?branch=atrium/nobody`);
    await waitForHydration(page);
    await page.getByText('There is no branch "atrium/nobody" in this project').waitFor();
    await page.getByRole("link", { name: "Back to the live dashboard" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Branch view" }).count()).toBe(0);
    expect(owner!.unexpectedProblems([{ path: /^\/api\/trpc\/dashboards\.update/, status: 409 }, { path: /^\/api\/trpc\/gitSync\.resolveConflict/, status: 422 }, { path: /^\/api\/trpc\/gitSync\.dashboardAtBranch/, status: 404 }])).toEqual([]);
  }, 120_000);
});
