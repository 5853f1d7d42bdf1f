/**
 * Sharing in a real browser, two people in two browser contexts: the owner opens a dashboard,
 * clicks Share in its action rail and shares it with a guest's address; the guest (no member of
 * the organization) finds it under "Shared with me", opens it and sees its chart, while the
 * project's own pages answer 404; the owner removes the share, and the guest's next refresh is
 * refused.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let guest: RecordedPage;

const OWNER = { name: "Sasha Share", email: "sasha@share.test", password: "sharing is caring words" };
const GUEST = { name: "Gil Guest", email: "gil@guest.test", password: "guest of honour words" };
const ORG = { name: "Share Works", slug: "share-works" };
const PROJECT = { slug: "board", name: "Board" };
const DASHBOARD = { slug: "kpis", title: "Board KPIs" };
const YAML = `title: ${DASHBOARD.title}
queries:
  answer:
    sql: select 42 as answer
charts:
  - id: answer
    title: The answer
    type: kpi
    query: answer
    value: answer
`;

/** The guest's refused calls after the share is gone, and the project page's 404. */
const REFUSED = [
  { path: /^\/api\/trpc\/dashboards\.(get|run)/, status: 404 },
  { path: `/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}`, status: 404 },
];

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, guest], REFUSED);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("sharing a dashboard with a person", () => {
  it("two people sign up; the owner creates an organization", async () => {
    owner = await harness.open();
    guest = await harness.open();
    await signUpConfirmed(guest.page, base, db, GUEST);
    await signUpConfirmed(owner.page, base, db, OWNER);
    await createOrganization(owner.page, base, ORG);
  });

  it("the owner shares a dashboard from its action rail", async () => {
    // The project and its dashboard, written as the app would (the dashboards tests click through that).
    const { rows } = await db.query<{ id: string; project_id: string; author: string }>(
      `with o as (select id from orgs where slug = $1),
            p as (insert into projects (org_id, slug, name) select id, $2, $3 from o returning id, org_id),
            u as (select id from users where email = $6),
            d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                  select p.org_id, p.id, $4, $5, $7, 1, u.id, u.id from p, u returning id, project_id, org_id, created_by)
       insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id)
         select org_id, id, 1, $7, created_by from d returning dashboard_id as id, (select project_id from d) as project_id, author_id as author`,
      [ORG.slug, PROJECT.slug, PROJECT.name, DASHBOARD.slug, DASHBOARD.title, OWNER.email, YAML],
    );
    expect(rows).toHaveLength(1);

    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}`);
    await waitForHydration(page);
    await heading(page, DASHBOARD.title);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    expect(await dialog.getByRole("tab", { name: "People" }).getAttribute("aria-selected")).toBe("true");
    const list = dialog.getByRole("list", { name: "Who has access" });
    await list.getByText("Organization owner").waitFor();
    await dialog.getByLabel("Email address").fill(GUEST.email);
    await dialog.getByLabel("Access", { exact: true }).selectOption("view");
    await dialog.getByRole("button", { name: "Share", exact: true }).click();
    await dialog.getByText(`Shared with ${GUEST.email}.`).waitFor();
    await list.getByText("Shared: this dashboard, can view").waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("the guest finds it under Shared with me and sees its chart; the project's pages stay 404", async () => {
    const { page } = guest;
    await page.goto("/shared");
    await waitForHydration(page);
    await heading(page, "Shared with me");
    await page.getByRole("link", { name: DASHBOARD.title }).click();
    await heading(page, DASHBOARD.title);
    await page.locator('[data-chart="answer"]').getByText("42").waitFor();

    const projectPage = await guest.context.newPage();
    const response = await projectPage.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}`);
    expect(response?.status()).toBe(404);
    await projectPage.close();
  });

  it("the owner removes the share; the guest's next refresh is refused", async () => {
    const dialog = owner.page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("button", { name: `Remove access: ${GUEST.email}` }).click();
    await dialog.getByText(`${GUEST.email} no longer has this share.`).waitFor();
    await dialog.getByText("Shared: this dashboard, can view").waitFor({ state: "detached" });

    await guest.page.getByRole("button", { name: "Refresh" }).click();
    await guest.page.getByRole("alert").getByText(/not found/i).first().waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
    expect(guest.unexpectedProblems(REFUSED)).toEqual([]);
  });
});
