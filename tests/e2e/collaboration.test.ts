/**
 * Reviewing a dashboard together, in two browsers: a viewer opens the comments panel from the
 * dashboard's action rail and writes on a chart in Markdown (a script in it stays text); an
 * editor sees the thread count on the chart card and the unread marker, replies and resolves
 * it (the viewer has no Resolve button). After the editor changes the chart, the thread reads
 * "Outdated"; the editor marks the new version as reviewed, which shows on the dashboard and
 * in its history. Then mentions: the viewer types "@Edd", picks Eddie from the people who can
 * see the dashboard, and posts. The digest job (its 10-minute wait cut short) mails Eddie one
 * digest, whose unsubscribe link works in a browser that is not signed in; Eddie's bell counts
 * the mention, the notifications page lists it and opening it marks it read. Last, the org home
 * shows the latest of it all, and the Activity pages (org, project) filter it by kind and person.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { heading, reportFailure } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let db: pg.Client;
let viewer: RecordedPage;
let editor: RecordedPage;
let stranger: RecordedPage | undefined;
let eddieId = "";
const ids: { org?: string; project?: string; dashboard?: string } = {};

const DASHBOARD_PATH = "/o/review-co/p/ops/d/weekly";
const yamlOf = (goals: string) => `title: Weekly review
charts:
  - id: notes
    title: Team notes
    type: text
    markdown: Plans for the quarter.
  - id: goals
    title: Goals
    type: text
    markdown: ${goals}
`;

/** A person with a session, member of the org with `role`; returns the session token. */
async function person(name: string, role: string): Promise<{ id: string; token: string }> {
  const token = generateSessionToken();
  const email = `${name.toLowerCase()}@review.test`;
  const user = await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id", [email, name]);
  const id = user.rows[0]!.id;
  await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, $3)", [ids.org, id, role]);
  await db.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(token), id]);
  return { id, token };
}

async function signedIn(token: string): Promise<RecordedPage> {
  const recorded = await harness.open();
  await recorded.context.addCookies([{ name: SESSION_COOKIE, value: token, url: harness.server.url }]);
  return recorded;
}

beforeAll(async () => {
  harness = await startHarness();
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  ids.org = (await db.query<{ id: string }>("insert into orgs (slug, name) values ('review-co', 'Review Co') returning id")).rows[0]!.id;
  ids.project = (await db.query<{ id: string }>("insert into projects (org_id, slug, name) values ($1, 'ops', 'Ops') returning id", [ids.org])).rows[0]!.id;
  const owner = await person("Olga", "owner");
  const yaml = yamlOf("Ship the review flow.");
  ids.dashboard = (
    await db.query<{ id: string }>(
      "insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by) values ($1, $2, 'weekly', 'Weekly review', $3, 1, $4, $4) returning id",
      [ids.org, ids.project, yaml, owner.id],
    )
  ).rows[0]!.id;
  await db.query("insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) values ($1, $2, 1, $3, $4)", [ids.org, ids.dashboard, yaml, owner.id]);
  viewer = await signedIn((await person("Vera", "viewer")).token);
  const eddie = await person("Eddie", "editor");
  eddieId = eddie.id;
  editor = await signedIn(eddie.token);
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [viewer, editor, stranger]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

async function openDashboard(recorded: RecordedPage) {
  await recorded.page.goto(DASHBOARD_PATH);
  await waitForHydration(recorded.page);
  await heading(recorded.page, "Weekly review");
}

describe("collaboration", () => {
  it("a viewer comments on a chart in Markdown from the action rail; a script in it stays text", async () => {
    const { page } = viewer;
    await openDashboard(viewer);
    const rail = page.getByRole("complementary", { name: "Actions" });
    await rail.getByText("Version 1 not reviewed yet").waitFor();
    await expect(rail.getByRole("button", { name: "Mark as reviewed" }).count()).resolves.toBe(0);
    await rail.getByRole("button", { name: "Comments" }).click();
    const panel = page.getByRole("region", { name: "Comments" });
    await panel.getByText("No comments yet.").waitFor();
    await panel.getByLabel("On", { exact: true }).selectOption({ label: "Goals" });
    await panel.getByLabel("Comment", { exact: true }).fill("Is this **still** the goal? <script>window.pwned = 1</script>");
    await panel.getByRole("button", { name: "Comment", exact: true }).click();

    const thread = panel.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "On Goals" }) });
    await thread.locator("strong", { hasText: "still" }).waitFor();
    await expect(thread.innerText()).resolves.toContain("<script>window.pwned = 1</script>");
    await expect(page.evaluate(() => (window as { pwned?: number }).pwned)).resolves.toBeUndefined();
    await expect(thread.locator("script").count()).resolves.toBe(0);
    await expect(thread.getByRole("button", { name: "Resolve" }).count()).resolves.toBe(0);
    expect(viewer.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("an editor sees the count on the chart card and the unread marker, replies and resolves", async () => {
    const { page } = editor;
    await openDashboard(editor);
    const rail = page.getByRole("complementary", { name: "Actions" });
    await rail.getByRole("button", { name: /Comments \(1\).*1 new/ }).waitFor();
    const goals = page.locator('article[data-chart="goals"]');
    await goals.getByRole("button", { name: "1 open comment thread on this chart" }).click();

    const panel = page.getByRole("region", { name: "Comments" });
    const thread = panel.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "On Goals" }) });
    await thread.getByText("New", { exact: true }).waitFor();
    await thread.getByRole("button", { name: "Reply" }).click();
    await thread.getByLabel("Reply", { exact: true }).fill("Yes, until Friday.");
    await thread.getByRole("button", { name: "Post reply" }).click();
    await thread.getByText("Yes, until Friday.").waitFor();
    await thread.getByRole("button", { name: "Resolve" }).click();
    await panel.getByText("No comments yet.").waitFor();
    await panel.getByLabel("Resolved", { exact: true }).check();
    await thread.getByText("Resolved", { exact: true }).waitFor();
    expect(editor.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("after the chart changes its thread is outdated; the editor marks the new version reviewed, shown on the dashboard and in history", async () => {
    const { page } = editor;
    // The editor saves a new version in which the Goals chart says something else.
    const saved = await page.evaluate(
      async ({ orgId, projectId, yaml }) => {
        const res = await fetch("/api/trpc/dashboards.update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ orgId, projectId, slug: "weekly", version: 1, yaml }) });
        return res.status;
      },
      { orgId: ids.org!, projectId: ids.project!, yaml: yamlOf("Ship sharing next.") },
    );
    expect(saved).toBe(200);

    await openDashboard(editor);
    const rail = page.getByRole("complementary", { name: "Actions" });
    await rail.getByRole("button", { name: /Comments/ }).click();
    const panel = page.getByRole("region", { name: "Comments" });
    await panel.getByLabel("All", { exact: true }).check();
    const thread = panel.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "On Goals" }) });
    await thread.getByText("Outdated", { exact: true }).waitFor();

    await rail.getByRole("button", { name: "Mark as reviewed" }).click();
    await rail.getByTestId("review-status").getByText("v2 by Eddie").waitFor();
    await page.goto(`${DASHBOARD_PATH}/history`);
    await waitForHydration(page);
    const versions = page.getByRole("list", { name: "Versions" });
    const second = versions.getByRole("listitem").filter({ hasText: "Version 2" });
    await second.getByText("Reviewed", { exact: true }).waitFor();
    await expect(second.innerText()).resolves.toMatch(/Reviewed\s+by Eddie/);
    await expect(versions.getByRole("listitem").filter({ hasText: "Version 1" }).innerText()).resolves.not.toContain("Reviewed");
    expect(editor.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("a viewer mentions Eddie, picked from the people who can see the dashboard", async () => {
    await openDashboard(viewer);
    const vera = viewer.page;
    await vera.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: /Comments/ }).click();
    const panel = vera.getByRole("region", { name: "Comments" });
    const box = panel.getByLabel("Comment", { exact: true });
    await box.click();
    await vera.keyboard.type("@Edd");
    await panel.getByRole("button", { name: "@Eddie" }).click();
    await vera.keyboard.type("can you look at the totals?");
    await expect(box.inputValue()).resolves.toBe("@Eddie can you look at the totals?");
    await panel.getByRole("button", { name: "Comment", exact: true }).click();
    await panel.getByText("can you look at the totals?").waitFor();
    expect(viewer.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("the digest mails Eddie once, and its unsubscribe link works without signing in", async () => {
    // The digest waits 10 minutes to gather news: let it start now.
    const queued = await db.query("update pgboss.job set start_after = now() where name = 'collaboration.email-digest' and singleton_key = $1 and state = 'created'", [`${ids.org}:${eddieId}`]);
    expect(queued.rowCount).toBe(1);
    let text = "";
    for (let i = 0; i < 120 && !text; i++) {
      const { rows } = await db.query<{ text_body: string }>("select text_body from mail_outbox where to_address = 'eddie@review.test' and subject like '%new in Review Co%'");
      text = rows[0]?.text_body ?? "";
      if (!text) await new Promise((r) => setTimeout(r, 250));
    }
    expect(text).toContain('Vera mentioned you on "Weekly review": @Eddie can you look at the totals?');
    const link = /https?:\/\/\S+\/api\/collaboration\/unsubscribe\S+/.exec(text)?.[0];
    expect(link).toBeDefined();

    stranger = await harness.open();
    const { page } = stranger;
    await page.goto(new URL(link!).pathname + new URL(link!).search);
    await page.getByRole("heading", { name: "Stop comment emails?" }).waitFor();
    await page.getByRole("button", { name: "Stop comment emails" }).click();
    await page.getByRole("heading", { name: "Comment emails are off" }).waitFor();
    const pref = await db.query<{ email: string }>("select email from collaboration_mail_preferences where user_id = $1", [eddieId]);
    expect(pref.rows[0]?.email).toBe("off");
  }, 60_000);

  it("Eddie's bell counts the mention; the notifications page lists it and opening it marks it read", async () => {
    const { page } = editor;
    await openDashboard(editor);
    const bell = page.getByRole("link", { name: "Notifications, 1 unread" });
    await bell.click();
    await heading(page, "Notifications");
    const item = page.getByRole("list", { name: "Notifications" }).getByRole("link", { name: "Vera mentioned you on Weekly review" });
    await item.click();
    await heading(page, "Weekly review");
    await page.getByRole("link", { name: "Notifications", exact: true }).waitFor();
    expect(editor.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("Eddie's older notifications come a hundred at a time with Show older notifications", async () => {
    // 130 older mentions, read, as months of reviews would leave them.
    await db.query(
      `insert into collaboration_notifications (org_id, user_id, kind, project_id, dashboard_id, thread_id, comment_id, actor_id, created_at, read_at)
       select org_id, user_id, kind, project_id, dashboard_id, thread_id, comment_id, actor_id, created_at - make_interval(days => i), now()
       from collaboration_notifications, generate_series(1, 130) i where user_id = $1`,
      [eddieId],
    );
    const { page } = editor;
    await page.getByRole("link", { name: "Notifications", exact: true }).click();
    await heading(page, "Notifications");
    const list = page.getByRole("list", { name: "Notifications" });
    await expect.poll(() => list.getByRole("listitem").count()).toBe(100);
    const older = page.getByRole("button", { name: "Show older notifications" });
    await older.click();
    await expect.poll(() => list.getByRole("listitem").count()).toBe(131);
    await older.waitFor({ state: "detached" });
    await db.query("delete from collaboration_notifications where user_id = $1 and created_at < now() - interval '12 hours'", [eddieId]);
    expect(editor.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("the org home shows the latest activity; the Activity page filters it by kind and person", async () => {
    const { page } = viewer;
    await page.goto("/o/review-co");
    await waitForHydration(page);
    const latest = page.getByRole("list", { name: "Latest activity" });
    await latest.getByRole("listitem").first().waitFor();
    await expect(latest.getByRole("listitem").first().innerText()).resolves.toMatch(/Vera\s+commented on\s+Weekly review/);
    await latest.getByText(/Eddie\s+reviewed\s+Weekly review\s+\(version 2\)/).waitFor();

    await page.getByRole("link", { name: "All activity" }).click();
    await heading(page, "Activity");
    const list = page.getByRole("list", { name: "Activity" });
    await list.getByText(/Eddie\s+saved\s+Weekly review\s+\(version 2\)/).waitFor();
    await page.getByLabel("Show").selectOption({ label: "Comments" });
    await page.waitForURL(/kind=comment/);
    await list.locator('[data-activity-kind="save"]').waitFor({ state: "detached" });
    await expect(list.locator("[data-activity-kind]").count()).resolves.toBe(3);
    await page.getByLabel("Person").selectOption({ label: "Eddie" });
    await page.waitForURL(/person=/);
    await list.getByText(/Vera\s+commented/).first().waitFor({ state: "detached" });
    await list.getByText("Yes, until Friday.", { exact: false }).waitFor();
    await expect(list.locator("[data-activity-kind]").count()).resolves.toBe(1);

    await page.goto("/o/review-co/p/ops");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Activity", exact: true }).click();
    await heading(page, "Activity in Ops");
    await page.getByRole("list", { name: "Activity" }).getByText(/Eddie\s+reviewed/).waitFor();
    expect(viewer.unexpectedProblems()).toEqual([]);
  }, 60_000);
});
