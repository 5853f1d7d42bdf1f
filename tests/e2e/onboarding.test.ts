/**
 * Setup in a real browser, as a person would: a new owner sees the setup checklist on the org
 * home, hides it and shows it again, creates a project, then opens the setup tasks and runs the
 * sample load, the first dashboard and its run from the board, each badge turning "OK" from
 * stored evidence, until the checklist is gone. A viewer sees the same board read-only, with
 * its controls disabled and the reason. Through the guided setup alone, a new owner reaches a
 * working dashboard with the sample (going back without losing input, a skipped step recorded,
 * resumed in a second browser, a second admin taking over and handing back, the assistant
 * offered, creating the dashboard twice keeping one) and with a CSV file (an abandoned session
 * resumed; freshness and a test query among the checks).
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let viewer: RecordedPage | undefined;
let wizard: RecordedPage | undefined;
let second: RecordedPage | undefined;
let admin: RecordedPage | undefined;

const OWNER = { name: "Olga Owner", email: "olga@setup.test", password: "first steps are the hardest" };
const VIEWER = { name: "Vic Viewer", email: "vic@setup.test", password: "looking but not touching" };
const ORG = { name: "Setup Works", slug: "setup-works" };
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, viewer, wizard, second, admin], []);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("setup from the org home and the task board", () => {
  it("shows the checklist on a new org's home; hiding it and showing it again", async () => {
    owner = await harness.open();
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    const checklist = page.getByRole("region", { name: `Set up ${ORG.name}` });
    await checklist.getByText("Next: Create a project to hold your dashboards and data.").waitFor();
    await checklist.getByRole("button", { name: "Hide the setup checklist" }).click();
    await page.getByRole("heading", { name: "Setup checklist hidden" }).waitFor();
    await page.getByRole("button", { name: "Show the setup checklist again" }).click();
    await checklist.waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("creates a project, then loads the sample, creates and runs a first dashboard from the task board", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: "New project" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Project name").fill("Shop");
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/shop`);
    const home = await page.goto(`/o/${ORG.slug}`);
    // The org home is rendered on the server (`serverRender`): its heading is in the HTML, no spinner for the page.
    const html = (await home?.text()) ?? "";
    expect(html).toMatch(new RegExp(`<h1 class="page-header__title"[^>]*>${ORG.name}</h1>`));
    expect(html).not.toContain("Loading page…");
    const checklist = page.getByRole("region", { name: `Set up ${ORG.name}` });
    await checklist.getByText(/Next: Add data/).waitFor();
    await checklist.getByRole("link", { name: "Setup tasks" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/setup/tasks`);
    await heading(page, "Setup tasks");

    const board = page.getByRole("list", { name: "Setup tasks" });
    for (const label of ["Load the sample data", "Create a first dashboard", "Run the dashboard"]) {
      const card = board.getByRole("listitem").filter({ has: page.getByRole("heading", { name: label }) });
      await card.getByText("Unknown", { exact: true }).waitFor();
      await card.getByRole("button", { name: `Start: ${label}` }).click();
      await card.getByText("OK", { exact: true }).waitFor({ timeout: 60_000 });
    }
    await page.getByRole("table").getByRole("cell", { name: "Run the dashboard" }).waitFor();
    await page.goto(`/o/${ORG.slug}`);
    await page.getByRole("region", { name: "Recent dashboards" }).getByRole("link", { name: "Revenue overview" }).waitFor();
    await expect(page.getByRole("region", { name: `Set up ${ORG.name}` }).count()).resolves.toBe(0);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("shows a viewer the board read-only, controls disabled, with the reason", async () => {
    viewer = await harness.open();
    const { page } = viewer;
    await signUpConfirmed(page, base, db, VIEWER);
    await db.query(
      "insert into memberships (org_id, user_id, role) select o.id, u.id, 'viewer' from orgs o, users u where o.slug = $1 and u.email = $2",
      [ORG.slug, VIEWER.email],
    );
    await page.goto(`/o/${ORG.slug}/setup/tasks`);
    await heading(page, "Setup tasks");
    await page.getByText("Read-only: Your role (viewer) does not allow this").waitFor();
    const start = page.getByRole("button", { name: "Start: Load the sample data" });
    await expect(start.isDisabled()).resolves.toBe(true);
    await expect(start.getAttribute("aria-describedby")).resolves.toBe("task-board-read-only");
    // The board's badges are the owner's evidence.
    const card = page.getByRole("list", { name: "Setup tasks" }).getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Load the sample data" }) });
    await card.getByText("OK", { exact: true }).waitFor();
    expect(viewer.unexpectedProblems()).toEqual([]);
  });
});

describe("the guided setup", () => {
  const WENDY = { name: "Wendy Wizard", email: "wendy@setup.test", password: "five steps to a chart" };
  const ABE = { name: "Abe Admin", email: "abe@setup.test", password: "second pair of hands" };
  const HOME = { name: "Wizard Works", slug: "wizard-works" };
  const stepHeading = (page: RecordedPage["page"], text: string) => page.getByRole("heading", { level: 2, name: text }).waitFor();

  it("walks a new owner's first steps: back keeps input, a skip is recorded, resume elsewhere, a second admin takes over and hands back", async () => {
    wizard = await harness.open();
    const { page } = wizard;
    await signUpConfirmed(page, base, db, WENDY);
    await createOrganization(page, base, HOME);
    await page.getByRole("region", { name: `Set up ${HOME.name}` }).getByRole("link", { name: "Guided setup" }).click();
    await heading(page, `Set up ${HOME.name}`);

    await stepHeading(page, "Step 1 of 5: Workspace");
    await expect(page.getByLabel("Organization name").inputValue()).resolves.toBe(HOME.name);
    await page.getByLabel("Your role").selectOption("analyst");
    await page.getByLabel("What do you want to do?").selectOption("revenue");
    await expect(page.getByLabel("First project").inputValue()).resolves.toBe("Analytics");
    await page.getByRole("button", { name: "Continue" }).click();

    await stepHeading(page, "Step 2 of 5: Team");
    await page.getByLabel("Email of person 1").fill("ana@setup.test");
    await page.getByRole("button", { name: "Back" }).click();
    await stepHeading(page, "Step 1 of 5: Workspace");
    await expect(page.getByLabel("Your role").inputValue()).resolves.toBe("analyst");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Step 2 of 5: Team");
    await expect(page.getByLabel("Email of person 1").inputValue()).resolves.toBe("ana@setup.test");
    await page.getByLabel("Email of person 1").fill("");
    await page.getByRole("button", { name: "Skip this step" }).click();
    await stepHeading(page, "Step 3 of 5: Connect data");
    await page.getByRole("list", { name: "Setup steps" }).getByText("2. Team (skipped)").waitFor();

    // Resumed in another browser: the same step, nothing kept in the first one's storage.
    second = await harness.open();
    await second.context.addCookies(await wizard.context.cookies());
    await second.page.goto(`/o/${HOME.slug}/setup`);
    await stepHeading(second.page, "Step 3 of 5: Connect data");
    expect(second.unexpectedProblems()).toEqual([]);
    await second.close();
    second = undefined;

    // A second admin sees who is editing, takes over; the first is told; then hands it back.
    admin = await harness.open();
    await signUpConfirmed(admin.page, base, db, ABE);
    await db.query("insert into memberships (org_id, user_id, role) select o.id, u.id, 'admin' from orgs o, users u where o.slug = $1 and u.email = $2", [HOME.slug, ABE.email]);
    await admin.page.goto(`/o/${HOME.slug}/setup`);
    await admin.page.getByText(`${WENDY.name} is editing the setup`).waitFor();
    await admin.page.getByRole("button", { name: "Take over" }).click();
    await stepHeading(admin.page, "Step 3 of 5: Connect data");
    await page.getByRole("alert").getByText(`${ABE.name} took over the setup.`).waitFor();
    await page.getByText(`${ABE.name} is editing the setup`).waitFor();
    await admin.page.getByText("Hand the setup to someone else").click();
    await admin.page.getByLabel("Owner or admin").selectOption({ label: WENDY.name });
    await admin.page.getByRole("button", { name: "Hand off" }).click();
    await admin.page.getByText(`${WENDY.name} is editing the setup`).waitFor();
    expect(admin.unexpectedProblems()).toEqual([]);
    await stepHeading(page, "Step 3 of 5: Connect data");
    expect(wizard.unexpectedProblems()).toEqual([]);
  }, 120_000);

  it("takes that owner on to a working dashboard with the sample", async () => {
    const { page } = wizard!;
    await stepHeading(page, "Step 3 of 5: Connect data");
    await page.getByLabel(/The sample shop/).check();
    await page.getByRole("button", { name: "Connect and continue" }).click();
    await stepHeading(page, "Step 4 of 5: Verify");
    const checks = page.getByRole("list", { name: "Setup checks" });
    const card = (label: string) => checks.getByRole("listitem").filter({ has: page.getByRole("heading", { name: label }) });
    for (const label of ["Load the sample data", "Read the schema", "Run a test query"]) await card(label).getByText("OK", { exact: true }).waitFor({ timeout: 60_000 });
    // Freshness is evidence too: OK, or a warning when the newest order is over 30 days old.
    await card("Check data freshness").getByText(/^(OK|Warning)$/).waitFor({ timeout: 60_000 });
    await card("Run a test query").getByText(/A test query answered/).waitFor();
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Step 5 of 5: First dashboard");
    // With the assistant: no model is configured here, and the panel says so.
    await page.getByLabel(/With the assistant/).check();
    await page.getByText("The assistant is not set up yet").waitFor();
    await expect(page.getByRole("button", { name: "Finish and see my dashboards" }).isDisabled()).resolves.toBe(true);
    await page.getByLabel(/From a template/).check();
    await page.getByRole("button", { name: "Create my first dashboard" }).click();
    await page.getByText("first run: OK").waitFor({ timeout: 60_000 });
    // Back to step 4 and on again, and create again: still the one dashboard. The checks are
    // newer than the data they checked, so going back runs none of them again.
    const runs = async () => Number((await db.query("select count(*) from onboarding_task_runs r join orgs o on o.id = r.org_id where o.slug = $1", [HOME.slug])).rows[0].count);
    const before = await runs();
    await page.getByRole("button", { name: "Back" }).click();
    await stepHeading(page, "Step 4 of 5: Verify");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Step 5 of 5: First dashboard");
    expect(await runs()).toBe(before);
    await page.getByRole("button", { name: "Create my first dashboard" }).click();
    await page.getByText("first run: OK").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Finish and open the dashboard" }).click();
    await page.waitForURL(`${base}/o/${HOME.slug}/p/analytics/d/revenue-overview`);
    const made = await db.query("select d.slug from dashboards_dashboards d join orgs o on o.id = d.org_id where o.slug = $1 and d.deleted_at is null", [HOME.slug]);
    expect(made.rows.map((r: { slug: string }) => r.slug)).toEqual(["revenue-overview"]);
    await heading(page, "Revenue overview");
    expect(wizard!.unexpectedProblems()).toEqual([]);
  }, 120_000);

  it("takes the same owner to a starter dashboard from an uploaded CSV file", async () => {
    const { page } = wizard!;
    const CSV = { name: "Csv Works", slug: "csv-works" };
    await page.goto("/");
    await createOrganization(page, base, CSV);
    await page.goto(`/o/${CSV.slug}/setup`);
    await stepHeading(page, "Step 1 of 5: Workspace");
    await page.getByLabel("Your role").selectOption("engineer");
    await page.getByLabel("What do you want to do?").selectOption("reports");
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Step 2 of 5: Team");
    await page.getByRole("button", { name: "Skip this step" }).click();
    await stepHeading(page, "Step 3 of 5: Connect data");
    // Left idle for days, the daily job abandons the session; the page offers to resume it.
    await db.query("update onboarding_sessions s set status = 'abandoned', abandoned_at = now(), lease_holder = null, lease_expires_at = null from orgs o where o.id = s.org_id and o.slug = $1", [CSV.slug]);
    await page.reload();
    await page.getByRole("heading", { level: 2, name: "This setup was left unfinished" }).waitFor();
    await page.getByText("It stopped at step 3: Connect data.").waitFor();
    await page.getByRole("button", { name: "Resume where it stopped" }).click();
    await stepHeading(page, "Step 3 of 5: Connect data");
    await page.getByLabel(/A CSV file/).check();
    await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "visits.csv", mimeType: "text/csv", buffer: Buffer.from(`day,visits\n${daysAgo(3)},120\n${daysAgo(2)},135\n`) });
    await page.getByLabel("Table name").fill("visits");
    await page.getByRole("button", { name: "Connect and continue" }).click();
    await stepHeading(page, "Step 4 of 5: Verify");
    const checks = page.getByRole("list", { name: "Setup checks" });
    try {
      for (const label of ["Import a CSV file", "Read the schema", "Check data freshness", "Run a test query"]) {
        await checks.getByRole("listitem").filter({ has: page.getByRole("heading", { name: label }) }).getByText("OK", { exact: true }).waitFor({ timeout: 60_000 });
      }
    } catch (err) {
      // What the server recorded, beside what the page shows (printed by the failure report).
      const runs = await db.query("select r.task, r.status, r.reason_code, r.attempts, r.created_at, r.started_at, r.finished_at from onboarding_task_runs r join orgs o on o.id = r.org_id where o.slug = $1 order by r.created_at", [CSV.slug]);
      console.log(`--- setup task runs of ${CSV.slug}\n${JSON.stringify(runs.rows, null, 1)}`);
      throw err;
    }
    await page.getByRole("button", { name: "Continue" }).click();
    await stepHeading(page, "Step 5 of 5: First dashboard");
    await page.getByRole("button", { name: "Create my first dashboard" }).click();
    await page.getByText("first run: OK").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Finish and open the dashboard" }).click();
    await page.waitForURL(new RegExp(`/o/${CSV.slug}/p/analytics/d/`));
    await heading(page, "visits overview");
    expect(wizard!.unexpectedProblems()).toEqual([]);
  }, 120_000);
});
