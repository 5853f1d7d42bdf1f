/**
 * Sharing in a real browser, two people in two browser contexts: the owner opens a dashboard,
 * clicks Share in its action rail and shares it with a guest's address; the guest (no member of
 * the organization) finds it under "Shared with me", opens it and sees its chart, while the
 * project's own pages answer 404; the owner removes the share, and the guest's next refresh is
 * refused. Then public links: the owner creates one from the Public link tab, a visitor with no
 * account (a third browser context) opens `/s/<token>`, sees the chart and no navigation, editor
 * or SQL, changes the variable the link allows and cannot change the one it fixes; a link with a
 * password asks for it; revoked, the open page's next refresh says so and the address is a 404.
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
let visitor: RecordedPage;

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

const REGIONAL = { slug: "regional", title: "Regional numbers" };
const REGIONAL_YAML = `title: ${REGIONAL.title}
variables:
  - name: region
    type: select
    label: Region
    default: north
    options: [north, south, east]
  - name: status
    type: select
    label: Status
    default: open
    options: [open, closed]
queries:
  picked:
    sql: select cast({{region}} as text) as picked_region, cast({{status}} as text) as picked_status
charts:
  - id: picked
    title: Picked
    type: table
    query: picked
`;
const LINK_PASSWORD = "open sesame words";
/** What the visitor is refused on purpose: a fixed value (422), a password (401), a revoked link (404). */
const VISITOR_REFUSED = [
  { path: /^\/api\/sharing\/public\//, status: 422 },
  { path: /^\/api\/sharing\/public\//, status: 401 },
  { path: /^\/api\/sharing\/public\//, status: 404 },
  { path: /^\/s\//, status: 404 },
];

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, guest, visitor], [...REFUSED, ...VISITOR_REFUSED]);
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

  it("in a large organization, who has access comes a page at a time, and a search finds one person", async () => {
    // 120 more members, added as an import would (the members' own pages are tested elsewhere).
    await db.query(
      `with o as (select id from orgs where slug = $1),
            u as (insert into users (email, name) select 'crowd-' || i || '@share.test', 'Crowd member ' || lpad(i::text, 3, '0') from generate_series(1, 120) i returning id)
       insert into memberships (org_id, user_id, role) select o.id, u.id, 'viewer' from o, u`,
      [ORG.slug],
    );
    const { page } = owner;
    await page.reload();
    await waitForHydration(page);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    const list = dialog.getByRole("list", { name: "Who has access" });
    await expect.poll(() => list.getByRole("listitem").count()).toBe(100);
    const more = dialog.getByRole("button", { name: "Show more people" });
    await more.click();
    await expect.poll(() => list.getByRole("listitem").count()).toBe(121);
    await more.waitFor({ state: "detached" });
    await dialog.getByLabel("Find a person").fill("crowd member 117");
    await expect.poll(() => list.innerText()).toMatch(/^Crowd member 117\s/);
    await expect(list.getByRole("listitem").count()).resolves.toBe(1);
    await dialog.getByLabel("Find a person").fill("nobody by this name");
    await dialog.getByText("Nobody with access matches “nobody by this name”.").waitFor();
    // Escape in the search field clears it (the browser's way); from elsewhere it closes the dialog.
    await dialog.getByLabel("Find a person").fill("");
    await expect.poll(() => list.getByRole("listitem").count()).toBe(100);
    await dialog.getByRole("heading", { name: "Who has access" }).click();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await db.query("delete from users where email like 'crowd-%@share.test'");
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});

describe("a public link to a dashboard", () => {
  let url = "";
  let passwordUrl = "";

  it("the owner creates a link that lets viewers pick a region from a list", async () => {
    await db.query(
      `with p as (select id, org_id from projects where slug = $1),
            u as (select id from users where email = $2),
            d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                  select p.org_id, p.id, $3, $4, $5, 1, u.id, u.id from p, u returning id, org_id, created_by)
       insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) select org_id, id, 1, $5, created_by from d`,
      [PROJECT.slug, OWNER.email, REGIONAL.slug, REGIONAL.title, REGIONAL_YAML],
    );
    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${REGIONAL.slug}`);
    await waitForHydration(page);
    await heading(page, REGIONAL.title);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("tab", { name: "Public link" }).click();
    const form = dialog.getByRole("form", { name: "New public link" });
    await form.getByLabel("Expires after (days)").fill("7");
    await form.getByRole("group", { name: "Region" }).getByLabel("Viewers can").selectOption("allowed");
    await form.getByLabel("Allowed values for Region").fill("north, south");
    await form.getByRole("button", { name: "Create link" }).click();
    url = await dialog.getByRole("textbox", { name: "Public link" }).inputValue();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
    await dialog.getByRole("list", { name: "Links to this dashboard" }).getByText("active").waitFor();

    await form.getByLabel("Password (optional)").fill(LINK_PASSWORD);
    await form.getByRole("button", { name: "Create link" }).click();
    await dialog.getByRole("list", { name: "Links to this dashboard" }).getByText("password").waitFor();
    passwordUrl = await dialog.getByRole("textbox", { name: "Public link" }).inputValue();
    expect(passwordUrl).not.toBe(url);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("a visitor without an account sees the chart, and no navigation, editor or SQL", async () => {
    visitor = await harness.open();
    const { page } = visitor;
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["x-robots-tag"]).toContain("noindex");
    await waitForHydration(page);
    await heading(page, REGIONAL.title);
    const chart = page.locator('[data-chart="picked"]');
    await chart.getByRole("cell", { name: "north" }).waitFor();
    expect(await page.getByRole("navigation").count()).toBe(0);
    expect(await page.getByRole("link", { name: /edit/i }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Share" }).count()).toBe(0);
    const text = (await page.content()).toLowerCase();
    // The chart's id is also its title ("picked: rows" labels its table); the SQL itself never arrives.
    for (const secret of ["select cast", "{{region}}", "{{status}}"]) expect(text).not.toContain(secret);
    // The fixed variable is text, not a control.
    await page.getByRole("definition").getByText("open").waitFor();
    expect(await page.getByLabel("Status", { exact: true }).count()).toBe(0);
  });

  it("the visitor changes the region the link allows; the fixed status cannot be changed", async () => {
    const { page } = visitor;
    const region = page.getByLabel("Region", { exact: true });
    expect(await region.locator("option").allTextContents()).toEqual(["north", "south"]);
    await region.selectOption("south");
    await page.locator('[data-chart="picked"]').getByRole("cell", { name: "south" }).waitFor();
    // Sending the fixed variable anyway (as a hand-made request would) is refused before any SQL.
    const refused = await page.evaluate(async (token) => {
      const r = await fetch(`/api/sharing/public/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ variables: { status: "closed" } }) });
      return { status: r.status, body: await r.json() };
    }, url.slice(url.lastIndexOf("/") + 1));
    expect(refused.status).toBe(422);
    expect(refused.body.error.fieldErrors).toEqual({ "variables.status": ["This value is fixed for this link"] });
    expect(JSON.stringify(refused.body)).not.toContain("closed");
    expect(visitor.unexpectedProblems([{ path: /^\/api\/sharing\/public\//, status: 422 }])).toEqual([]);
  });

  it("a link with a password asks for it", async () => {
    const other = await harness.open();
    const { page } = other;
    await page.goto(passwordUrl);
    await waitForHydration(page);
    await heading(page, "This dashboard needs a password");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Open" }).click();
    await page.getByText("That password is not right.").waitFor();
    await page.getByLabel("Password").fill(LINK_PASSWORD);
    await page.getByRole("button", { name: "Open" }).click();
    await heading(page, REGIONAL.title);
    await page.locator('[data-chart="picked"]').getByRole("cell", { name: "north" }).waitFor();
    expect(other.unexpectedProblems([{ path: /^\/api\/sharing\/public\//, status: 401 }])).toEqual([]);
    await other.close();
  });

  it("the owner revokes the link: the open page's next refresh says so, and its address is a 404", async () => {
    const dialog = owner.page.getByRole("dialog", { name: "Share this dashboard" });
    const list = dialog.getByRole("list", { name: "Links to this dashboard" });
    // Newest first: the link without a password is the last.
    await list.getByRole("button", { name: /^Revoke:/ }).last().click();
    await list.getByText("revoked").waitFor();

    const { page } = visitor;
    await page.getByRole("button", { name: "Refresh" }).click();
    await heading(page, "This link is not available");
    const again = await page.goto(url);
    expect(again?.status()).toBe(404);
    await heading(page, "This link is not available");
    expect(owner.unexpectedProblems()).toEqual([]);
    expect(visitor.unexpectedProblems(VISITOR_REFUSED)).toEqual([]);
  });
});

describe("the links an organization and a person have made", () => {
  const DATED = { slug: "monthly", title: "Monthly numbers" };
  const DATED_YAML = `title: ${DATED.title}
variables:
  - name: period
    type: daterange
    label: Period
    default: last_30_days
queries:
  span:
    sql: select 1 as one
charts:
  - id: span
    title: Span
    type: table
    query: span
`;

  it("a dashboard with a live link says it is public; a link to a dated dashboard keeps viewers inside the dates given", async () => {
    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${REGIONAL.slug}`);
    await waitForHydration(page);
    // One link is revoked; the one with a password is still live.
    await page.getByRole("note").getByText("This dashboard is public: one link lets anyone").waitFor();

    await db.query(
      `with p as (select id, org_id from projects where slug = $1),
            u as (select id from users where email = $2),
            d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                  select p.org_id, p.id, $3, $4, $5, 1, u.id, u.id from p, u returning id, org_id, created_by)
       insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) select org_id, id, 1, $5, created_by from d`,
      [PROJECT.slug, OWNER.email, DATED.slug, DATED.title, DATED_YAML],
    );
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DATED.slug}`);
    await waitForHydration(page);
    await heading(page, DATED.title);
    expect(await page.getByRole("note").count()).toBe(0);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("tab", { name: "Public link" }).click();
    const form = dialog.getByRole("form", { name: "New public link" });
    await form.getByLabel("From (optional)").fill("2026-06-30");
    await form.getByLabel("Until (optional)").fill("2026-01-01");
    await form.getByRole("button", { name: "Create link" }).click();
    await form.getByText("The last day must not be before the first").waitFor();
    await form.getByLabel("From (optional)").fill("2026-01-01");
    await form.getByLabel("Until (optional)").fill("2026-06-30");
    await form.getByRole("button", { name: "Create link" }).click();
    await dialog.getByRole("list", { name: "Links to this dashboard" }).getByText("dates 2026-01-01 to 2026-06-30").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    // The banner hears of the new link without a reload.
    await page.getByRole("note").getByText("This dashboard is public: one link lets anyone").waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("the organization's Shared links page lists every link with its views; revoking there turns the banner off", async () => {
    const { page } = owner;
    // Admins find it from the organization's settings.
    await page.goto(`/o/${ORG.slug}/settings#public-links`);
    await waitForHydration(page);
    await page.getByRole("link", { name: "Open the organization's shared links" }).click();
    await page.waitForURL(`**/o/${ORG.slug}/shared-links`);
    await heading(page, "Shared links");
    const table = page.getByRole("table", { name: "The organization's public links" });
    await table.getByRole("row").nth(3).waitFor();
    expect(await table.getByRole("row").count()).toBe(4);
    // The password link was opened once (after the right password), the revoked one by the visitor.
    const regional = table.getByRole("row").filter({ hasText: REGIONAL.title });
    expect(await regional.filter({ hasText: "revoked" }).count()).toBe(1);
    expect(await regional.filter({ hasText: "never" }).count()).toBe(0);
    await expect.poll(() => table.getByRole("row").filter({ hasText: DATED.title }).getByRole("cell").nth(3).textContent()).toBe("0");

    await table.getByRole("button", { name: new RegExp(`^Revoke: ${DATED.title}`) }).click();
    await table.getByRole("row").filter({ hasText: DATED.title }).getByText("revoked").waitFor();
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DATED.slug}`);
    await waitForHydration(page);
    await heading(page, DATED.title);
    // Settled: the banner's lookup has answered (no live link) once the Share button is there.
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).waitFor();
    await expect.poll(() => page.getByRole("note").count()).toBe(0);

    await page.goto("/shared-links");
    await waitForHydration(page);
    await heading(page, "My public links");
    expect(await page.getByRole("table", { name: "My public links" }).getByRole("row").count()).toBe(4);
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});
