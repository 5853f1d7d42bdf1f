/**
 * One editor at a time, in two browsers: Ann opens the dashboard editor and types; Bob opens it
 * and sees "Ann is editing since …" with the editor read-only, and takes over (confirmed). Ann is
 * told at once, her editor turns read-only, and her unsaved text survives as her draft: she
 * closes her browser, comes back in a new one once Bob left, and restores it. Then her browser
 * is killed while she holds the lease: Bob sees her still editing until the lease's five minutes
 * pass without activity (the clock moved on in the database), and then edits himself. Last, live:
 * Ann views the dashboard while Bob edits; she sees him there, his save re-read by itself with
 * "Updated by Bob", his
 * comment's count on the chart card, and him gone once he closes his browser.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { heading, reportFailure } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let db: pg.Client;
let ann: RecordedPage;
let bob: RecordedPage;
const tokens: { ann?: string; bob?: string } = {};
const ids: { org?: string; project?: string; dashboard?: string } = {};

const EDITOR_PATH = "/o/lease-co/p/ops/d/weekly/edit";
const yamlOf = (title: string) => `title: ${title}
charts:
  - id: notes
    title: Team notes
    type: text
    markdown: Plans for the quarter.
`;

async function person(name: string, role: string): Promise<{ id: string; token: string }> {
  const token = generateSessionToken();
  const user = await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id", [`${name.toLowerCase()}@lease.test`, name]);
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

async function openEditor(recorded: RecordedPage) {
  await recorded.page.goto(EDITOR_PATH);
  await waitForHydration(recorded.page);
  await heading(recorded.page, "Edit dashboard");
}

const leaseNotice = (recorded: RecordedPage) => recorded.page.getByRole("region", { name: "Who is editing" });
const readOnly = (recorded: RecordedPage) => recorded.page.locator(".dash-split[inert]");

beforeAll(async () => {
  harness = await startHarness();
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  ids.org = (await db.query<{ id: string }>("insert into orgs (slug, name) values ('lease-co', 'Lease Co') returning id")).rows[0]!.id;
  ids.project = (await db.query<{ id: string }>("insert into projects (org_id, slug, name) values ($1, 'ops', 'Ops') returning id", [ids.org])).rows[0]!.id;
  const a = await person("Ann", "editor");
  const b = await person("Bob", "editor");
  tokens.ann = a.token;
  tokens.bob = b.token;
  const yaml = yamlOf("Weekly review");
  ids.dashboard = (
    await db.query<{ id: string }>(
      "insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by) values ($1, $2, 'weekly', 'Weekly review', $3, 1, $4, $4) returning id",
      [ids.org, ids.project, yaml, a.id],
    )
  ).rows[0]!.id;
  await db.query("insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) values ($1, $2, 1, $3, $4)", [ids.org, ids.dashboard, yaml, a.id]);
  ann = await signedIn(a.token);
  bob = await signedIn(b.token);
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [ann, bob]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

/** Waits until the server keeps Ann's draft containing `text` (typing pauses a second before it is sent). */
async function draftKept(text: string) {
  for (let i = 0; i < 100; i++) {
    const row = await db.query<{ yaml: string }>("select yaml from collaboration_drafts where dashboard_id = $1", [ids.dashboard]);
    if (row.rows[0]?.yaml.includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no draft with ${text}`);
}

describe("the edit lease", () => {
  it("Bob sees Ann editing, takes over; Ann is told at once and her draft survives her closed browser", async () => {
    await openEditor(ann);
    await leaseNotice(ann).getByText("You are editing").waitFor();
    const editor = ann.page.getByRole("textbox", { name: "Dashboard YAML" });
    await editor.click();
    await ann.page.keyboard.press("Control+End");
    await ann.page.keyboard.insertText("\n# Ann's unsaved idea");
    await draftKept("Ann's unsaved idea");

    await openEditor(bob);
    const locked = leaseNotice(bob);
    await locked.getByText(/^Ann is editing since \d{1,2}:\d{2}/).waitFor();
    await readOnly(bob).waitFor();
    await expect(bob.page.getByText("Version 1 · read-only").count()).resolves.toBe(1);
    await locked.getByRole("button", { name: "Take over" }).click();
    const dialog = bob.page.getByRole("dialog", { name: "Take over editing?" });
    await dialog.getByText("Ann is editing this dashboard now.", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Take over" }).click();
    await leaseNotice(bob).getByText("You are editing").waitFor();
    await expect(readOnly(bob).count()).resolves.toBe(0);

    // Ann is told at once (no reload), read-only, with her text still in her editor.
    await leaseNotice(ann).getByText(/Bob took over editing at .*Your unsaved changes are kept as your draft/).waitFor();
    await readOnly(ann).waitFor();
    await leaseNotice(ann).getByText(/^Bob is editing since/).waitFor();
    expect(ann.unexpectedProblems()).toEqual([]);
    const audited = await db.query("select 1 from audit_events where org_id = $1 and action = 'collaboration.lease.takeover'", [ids.org]);
    expect(audited.rowCount).toBe(1);

    // Ann closes her browser; Bob closes the editor (freeing the lease); Ann comes back elsewhere.
    await ann.close();
    await bob.page.getByRole("button", { name: "Close" }).click();
    await heading(bob.page, "Weekly review");
    ann = await signedIn(tokens.ann!);
    await openEditor(ann);
    const offer = leaseNotice(ann);
    await offer.getByText("You have unsaved changes").waitFor();
    await offer.getByRole("button", { name: "Restore my draft" }).click();
    await ann.page.getByText("Version 1 · unsaved changes").waitFor();
    await expect(ann.page.getByRole("textbox", { name: "Dashboard YAML" }).innerText()).resolves.toContain("# Ann's unsaved idea");
    expect(ann.unexpectedProblems()).toEqual([]);
    expect(bob.unexpectedProblems()).toEqual([]);
  }, 90_000);

  it("a killed browser's lease lapses after five minutes without activity, and the next editor gets it", async () => {
    // Ann holds the lease (previous test); her browser dies without a word.
    await ann.close();
    await openEditor(bob);
    await leaseNotice(bob).getByText(/^Ann is editing since/).waitFor();
    // Five minutes pass with nobody renewing it.
    await db.query("update collaboration_edit_leases set since = since - interval '5 minutes', expires_at = expires_at - interval '5 minutes' where dashboard_id = $1", [ids.dashboard]);
    await bob.page.reload();
    await waitForHydration(bob.page);
    await leaseNotice(bob).getByText("You are editing").waitFor();
    await expect(readOnly(bob).count()).resolves.toBe(0);
    expect(bob.unexpectedProblems()).toEqual([]);
  }, 60_000);

  it("a viewer sees who else is here, a save (re-read by itself, 'Updated by'), and a new comment, live", async () => {
    // Bob holds the editor (previous test); Ann views the dashboard.
    ann = await signedIn(tokens.ann!);
    await ann.page.goto("/o/lease-co/p/ops/d/weekly");
    await waitForHydration(ann.page);
    await heading(ann.page, "Weekly review");
    // The open stream does not keep the page from going quiet (the crawl waits for that).
    await ann.page.waitForLoadState("networkidle", { timeout: 15_000 });
    const here = ann.page.getByRole("region", { name: "Who is here" });
    await here.locator('li[title="Bob, editing"]').waitFor();

    const call = (path: string, input: Record<string, unknown>) =>
      bob.page.evaluate(
        async ({ path, input }) => (await fetch(`/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
        { path, input: { orgId: ids.org, projectId: ids.project, slug: "weekly", ...input } },
      );
    await expect(call("dashboards.update", { version: 1, yaml: yamlOf("Weekly review, revised") })).resolves.toBe(200);
    // Ann only views: the page re-reads the new version by itself, and says who saved it.
    await heading(ann.page, "Weekly review, revised");
    await ann.page.getByRole("status").filter({ hasText: "Updated by Bob: now showing version 2." }).waitFor();
    await expect(ann.page.getByRole("button", { name: "Reload" }).count()).resolves.toBe(0);

    await expect(call("collaboration.comments.add", { body: "Is this the final wording?", chartId: "notes" })).resolves.toBe(200);
    await ann.page.getByRole("button", { name: "1 open comment thread on this chart" }).waitFor();

    // Bob's browser goes away: he leaves at once (no wait for the 45-second lapse).
    await bob.close();
    await here.waitFor({ state: "detached" });
    expect(ann.unexpectedProblems()).toEqual([]);
  }, 60_000);
});
