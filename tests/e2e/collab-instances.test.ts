/**
 * Live updates across app instances, in a real browser: two built servers on one database (as
 * behind a load balancer). Ann views a dashboard through instance 2; Bob saves a new version
 * through instance 1. Ann's page, never reloaded, re-reads it by itself and says
 * "Updated by Bob" — the save travelled from instance 1 to instance 2 through the database's
 * notifications, and from there down Ann's open stream.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { heading, reportFailure } from "./flows";
import { openPage, startHarness, startServer, waitForHydration, type AppServer, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let second: AppServer;
let db: pg.Client;
let ann: RecordedPage;
let bob: RecordedPage;
const ids: { org?: string; project?: string } = {};

const yamlOf = (title: string) => `title: ${title}
charts:
  - id: notes
    title: Team notes
    type: text
    markdown: Plans for the quarter.
`;

async function person(name: string, role: string): Promise<string> {
  const token = generateSessionToken();
  const user = await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id", [`${name.toLowerCase()}@instances.test`, name]);
  const id = user.rows[0]!.id;
  await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, $3)", [ids.org, id, role]);
  await db.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(token), id]);
  return token;
}

beforeAll(async () => {
  harness = await startHarness();
  second = await startServer({ databaseUrl: harness.server.databaseUrl });
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  ids.org = (await db.query<{ id: string }>("insert into orgs (slug, name) values ('twin-co', 'Twin Co') returning id")).rows[0]!.id;
  ids.project = (await db.query<{ id: string }>("insert into projects (org_id, slug, name) values ($1, 'ops', 'Ops') returning id", [ids.org])).rows[0]!.id;
  const annToken = await person("Ann", "viewer");
  const bobToken = await person("Bob", "editor");
  const yaml = yamlOf("Weekly review");
  const author = (await db.query<{ id: string }>("select id from users where email = 'bob@instances.test'")).rows[0]!.id;
  const dashboard = (
    await db.query<{ id: string }>(
      "insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by) values ($1, $2, 'weekly', 'Weekly review', $3, 1, $4, $4) returning id",
      [ids.org, ids.project, yaml, author],
    )
  ).rows[0]!.id;
  await db.query("insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) values ($1, $2, 1, $3, $4)", [ids.org, dashboard, yaml, author]);
  // Ann's browser talks to instance 2 only; Bob's to instance 1.
  ann = await openPage(harness.browser, second.url);
  await ann.context.addCookies([{ name: SESSION_COOKIE, value: annToken, url: second.url }]);
  bob = await harness.open();
  await bob.context.addCookies([{ name: SESSION_COOKIE, value: bobToken, url: harness.server.url }]);
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    await reportFailure(harness, [ann, bob]);
    console.error(`Instance 2's log:\n${second.logs()}`);
  }
});

afterAll(async () => {
  await ann?.close().catch(() => {});
  await db?.end();
  // Instance 2 first: the harness drops the database both use.
  await second?.stop();
  await harness?.close();
});

describe("two app instances on one database", () => {
  it("a viewer on instance 2 sees a save made on instance 1, 'Updated by Bob', without reloading", async () => {
    await ann.page.goto("/o/twin-co/p/ops/d/weekly");
    await waitForHydration(ann.page);
    await heading(ann.page, "Weekly review");
    await ann.page.waitForLoadState("networkidle", { timeout: 15_000 });
    // A mark on this very document: a reload or a navigation would lose it.
    await ann.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    await bob.page.goto("/o/twin-co/p/ops/d/weekly");
    await waitForHydration(bob.page);
    await heading(bob.page, "Weekly review");
    const saved = await bob.page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.update", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: ids.org, projectId: ids.project, slug: "weekly", version: 1, yaml: yamlOf("Weekly review, revised") },
    );
    expect(saved).toBe(200);
    expect(new URL(bob.page.url()).origin).toBe(harness.server.url);

    await heading(ann.page, "Weekly review, revised");
    await ann.page.getByRole("status").filter({ hasText: "Updated by Bob: now showing version 2." }).waitFor();
    await expect(ann.page.getByRole("button", { name: "Reload" }).count()).resolves.toBe(0);
    expect(new URL(ann.page.url()).origin).toBe(second.url);
    await expect(ann.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).resolves.toBe(true);
    expect(ann.unexpectedProblems()).toEqual([]);
    expect(bob.unexpectedProblems()).toEqual([]);
  }, 90_000);
});
