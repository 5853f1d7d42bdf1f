/**
 * Setup in a real browser, as a person would: a new owner sees the setup checklist on the org
 * home, hides it and shows it again, creates a project, then opens the setup tasks and runs the
 * sample load, the first dashboard and its run from the board, each badge turning "OK" from
 * stored evidence, until the checklist is gone. A viewer sees the same board read-only, with
 * its controls disabled and the reason.
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

const OWNER = { name: "Olga Owner", email: "olga@setup.test", password: "first steps are the hardest" };
const VIEWER = { name: "Vic Viewer", email: "vic@setup.test", password: "looking but not touching" };
const ORG = { name: "Setup Works", slug: "setup-works" };

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, viewer], []);
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
    await page.goto(`/o/${ORG.slug}`);
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
