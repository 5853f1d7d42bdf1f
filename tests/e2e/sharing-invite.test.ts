/**
 * Email invitations to view in a real browser: the owner invites an address from the Share
 * dialog's People tab; the mail's link, opened in the viewer's browser (no account), binds view
 * access to it and shows the dashboard; the same link in another browser is a 404; the viewer
 * asks for more access; the owner revokes the invitation and the viewer's next refresh fails.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, heading, mailTo, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let viewer: RecordedPage;
let other: RecordedPage;

const OWNER = { name: "Ines Invite", email: "ines@invite.test", password: "invitations by mail words" };
const VIEWER = "vic@viewer.test";
const ORG = { name: "Invite Works", slug: "invite-works" };
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
/** Refused on purpose: the spent link (404), the revoked view's data (404). */
const REFUSED = [
  { path: /^\/v\//, status: 404 },
  { path: /^\/api\/trpc\/sharing\.invites\.status/, status: 404 },
  { path: /^\/api\/sharing\/invited\//, status: 404 },
];

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, viewer, other], REFUSED);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("an invitation to view", () => {
  let link = "";

  it("the owner invites an address from the People tab; a mail carries the link", async () => {
    owner = await harness.open();
    await signUpConfirmed(owner.page, base, db, OWNER);
    await createOrganization(owner.page, base, ORG);
    await db.query(
      `with o as (select id from orgs where slug = $1),
            p as (insert into projects (org_id, slug, name) select id, 'board', 'Board' from o returning id, org_id),
            u as (select id from users where email = $4),
            d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                  select p.org_id, p.id, $2, $3, $5, 1, u.id, u.id from p, u returning id, org_id, created_by)
       insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) select org_id, id, 1, $5, created_by from d`,
      [ORG.slug, DASHBOARD.slug, DASHBOARD.title, OWNER.email, YAML],
    );
    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/board/d/${DASHBOARD.slug}`);
    await waitForHydration(page);
    await heading(page, DASHBOARD.title);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    const form = dialog.getByRole("form", { name: "Invite to view" });
    await form.getByLabel("Address to invite").fill(VIEWER);
    await form.getByRole("button", { name: "Send invitation" }).click();
    await dialog.getByText(`Invitation sent to ${VIEWER}.`).waitFor();
    await dialog.getByRole("list", { name: "Invitations to view" }).getByText("link sent").waitFor();
    link = /https?:\/\/\S+\/v\/[A-Za-z0-9_-]{22}/.exec(await mailTo(db, VIEWER, /invited you to view/))?.[0] ?? "";
    expect(link).not.toBe("");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("the viewer opens it once: this browser sees the dashboard; another browser gets a 404", async () => {
    viewer = await harness.open();
    await viewer.page.goto(link);
    await waitForHydration(viewer.page);
    await heading(viewer.page, `You are invited to view “${DASHBOARD.title}”`);
    await viewer.page.getByRole("button", { name: "Open the dashboard" }).click();
    await heading(viewer.page, DASHBOARD.title);
    await viewer.page.locator('[data-chart="answer"]').getByText("42").waitFor();
    expect(viewer.page.url()).toMatch(/\/view\/[0-9a-f-]{36}$/);

    other = await harness.open();
    const response = await other.page.goto(link);
    expect(response?.status()).toBe(404);
    expect(viewer.unexpectedProblems()).toEqual([]);
  });

  it("the viewer asks for more access; the owner revokes, and the viewer's next refresh fails", async () => {
    await viewer.page.getByLabel("Ask for more access (optional message)").fill("May I edit it?");
    await viewer.page.getByRole("button", { name: "Ask for more access" }).click();
    await viewer.page.getByText("Your request was sent to the person who invited you.").waitFor();
    expect(await mailTo(db, OWNER.email, /asks for more access/)).toContain("May I edit it?");

    const dialog = owner.page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("button", { name: `Revoke invitation: ${VIEWER}` }).click();
    await dialog.getByText(`${VIEWER} can no longer view this dashboard.`).waitFor();

    await viewer.page.getByRole("button", { name: "Refresh" }).click();
    await heading(viewer.page, "This dashboard is not available to this browser");
    expect(owner.unexpectedProblems()).toEqual([]);
    expect(viewer.unexpectedProblems(REFUSED)).toEqual([]);
  });
});
