/**
 * Signed embeds in a real browser: the owner allows one site, makes the project's embed key in
 * the Share dialog's Embed tab and copies it; the site's server signs a token with it (jose, as
 * the dialog's Node snippet does). The site's page, served from another loopback origin, frames
 * the dashboard: the viewer changes the variable the token allows and sees the one it fixes as
 * text. A third origin's frame is refused by frame-ancestors. A tampered token is a 401 page
 * that says why; "revoke all embeds" makes the open frame's next refresh refuse.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let viewer: RecordedPage;
const sites: Server[] = [];
let allowedSite = "";
let refusedSite = "";

const OWNER = { name: "Elena Embed", email: "elena@embed.test", password: "frames within frames words" };
const ORG = { name: "Embed Works", slug: "embed-works" };
const PROJECT = { slug: "portal", name: "Portal" };
const DASHBOARD = { slug: "regional", title: "Regional numbers" };
const YAML = `title: ${DASHBOARD.title}
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

/** What the viewer is refused on purpose: the tampered token's page and data (401), after revocation (401). */
const VIEWER_REFUSED = [
  { path: /^\/e\//, status: 401 },
  { path: /^\/api\/sharing\/embed$/, status: 401 },
];

/** A site on its own loopback origin whose page frames `src`. */
async function site(): Promise<string> {
  let src = "";
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/set?")) {
      src = new URL(req.url, "http://x").searchParams.get("src") ?? "";
      res.end("ok");
      return;
    }
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html lang="en"><head><title>Partner portal</title></head><body><h1>Partner portal</h1><iframe title="Atrium dashboard" src="${src.replace(/"/g, "&quot;")}" width="900" height="700"></iframe></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sites.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function frameFrom(siteUrl: string, src: string) {
  await fetch(`${siteUrl}/set?src=${encodeURIComponent(src)}`);
  await viewer.page.goto(siteUrl);
  return viewer.page.frameLocator('iframe[title="Atrium dashboard"]');
}

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  allowedSite = await site();
  refusedSite = await site();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, viewer], VIEWER_REFUSED);
});

afterAll(async () => {
  for (const s of sites) await new Promise((resolve) => s.close(resolve));
  await db?.end();
  await harness?.close();
});

describe("a signed embed", () => {
  let key = "";
  let keyId = "";
  let dashboardId = "";
  let token = "";

  it("the owner allows a site and makes the project's embed key in the Embed tab", async () => {
    owner = await harness.open();
    await signUpConfirmed(owner.page, base, db, OWNER);
    await createOrganization(owner.page, base, ORG);
    const { rows } = await db.query<{ id: string }>(
      `with o as (select id from orgs where slug = $1),
            p as (insert into projects (org_id, slug, name) select id, $2, $3 from o returning id, org_id),
            u as (select id from users where email = $6),
            d as (insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by)
                  select p.org_id, p.id, $4, $5, $7, 1, u.id, u.id from p, u returning id, org_id, created_by)
       insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) select org_id, id, 1, $7, created_by from d returning dashboard_id as id`,
      [ORG.slug, PROJECT.slug, PROJECT.name, DASHBOARD.slug, DASHBOARD.title, OWNER.email, YAML],
    );
    dashboardId = rows[0]!.id;

    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/${DASHBOARD.slug}`);
    await waitForHydration(page);
    await heading(page, DASHBOARD.title);
    await page.getByRole("complementary", { name: "Actions" }).getByRole("button", { name: "Share" }).click();
    const dialog = page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("tab", { name: "Embed" }).click();
    await dialog.getByText("This project has no embed key yet.").waitFor();
    await dialog.getByLabel("Allowed origins").fill(allowedSite);
    await dialog.getByRole("button", { name: "Save sites" }).click();
    await dialog.getByRole("button", { name: "Save sites" }).waitFor();
    await dialog.getByRole("button", { name: "Create key" }).click();
    key = await dialog.getByRole("textbox", { name: "Embed key (ATRIUM_EMBED_KEY)" }).inputValue();
    keyId = await dialog.getByRole("textbox", { name: "Key id (kid)" }).inputValue();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole("list", { name: "Embed keys" }).getByText("current").waitFor();
    await dialog.getByRole("region", { name: "Views" }).getByText("Viewed 0 times through embeds; last viewed never.").waitFor();
    // The snippet names the key id and this dashboard, never the key.
    await dialog.getByRole("group", { name: "Region" }).getByLabel("Viewers see").selectOption("free");
    const snippet = await dialog.getByLabel("Signing snippet (node)").textContent();
    expect(snippet).toContain(keyId);
    expect(snippet).toContain(dashboardId);
    expect(snippet).toMatch(/"allowed": \[\s*"region"\s*\]/);
    expect(snippet).not.toContain(key);
    expect(await db.query("select allowed_origins from sharing_embed_settings").then((r) => r.rows[0]?.allowed_origins)).toEqual([allowedSite]);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("the allowed site frames the dashboard: the allowed variable changes, the fixed one is text", async () => {
    const now = Math.floor(Date.now() / 1000);
    token = await new SignJWT({ dashboard: dashboardId, params: { status: "closed" }, allowed: ["region"], exports: ["png"] })
      .setProtectedHeader({ alg: "HS256", kid: keyId })
      .setIssuedAt(now - 5)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(key));
    viewer = await harness.open();
    const frame = await frameFrom(allowedSite, `${base}/e/${token}`);
    await frame.getByRole("heading", { level: 1, name: DASHBOARD.title }).waitFor();
    const table = frame.locator('[data-chart="picked"]');
    await table.getByText("closed").waitFor();
    await table.getByText("north").waitFor();
    await frame.getByLabel("Region").selectOption("south");
    await table.getByText("south").waitFor();
    // The token fixes Status: shown, not offered.
    expect(await frame.getByRole("combobox", { name: "Status" }).count()).toBe(0);
    await frame.getByText("closed").first().waitFor();
    // Downloads are the token's: PNG only (a table has none), so no CSV.
    await frame.getByRole("button", { name: "Full screen: Picked" }).waitFor();
    expect(await frame.getByRole("button", { name: "Download CSV: Picked" }).count()).toBe(0);
    expect(viewer.unexpectedProblems()).toEqual([]);
  });

  it("a site the project does not allow is refused by frame-ancestors", async () => {
    const refused = viewer.page.waitForEvent("console", (m) => m.type() === "error" && /frame-ancestors/.test(m.text()));
    await frameFrom(refusedSite, `${base}/e/${token}`);
    expect((await refused).text()).toContain(allowedSite);
    const frame = viewer.page.frameLocator('iframe[title="Atrium dashboard"]');
    expect(await frame.getByRole("heading", { name: DASHBOARD.title }).count()).toBe(0);
    // Exactly the refusal, and nothing else: the blocked frame and the browser's line about it.
    expect(viewer.unexpectedProblems(VIEWER_REFUSED)).toEqual([expect.stringMatching(/^request failed: \/e\/.* \(net::ERR_BLOCKED_BY_RESPONSE\)$/), expect.stringMatching(/frame-ancestors/)]);
    viewer.problems.consoleErrors.length = 0;
    viewer.problems.failedRequests.length = 0;
  });

  it("a tampered token is a 401 page that says why", async () => {
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, params: {} })).toString("base64url")}.${signature}`;
    const response = await viewer.page.goto(`${base}/e/${tampered}`);
    expect(response?.status()).toBe(401);
    await heading(viewer.page, "This embed cannot be shown");
    await viewer.page.getByText(/not valid: it was altered/).waitFor();
    expect(viewer.unexpectedProblems(VIEWER_REFUSED)).toEqual([]);
  });

  it("revoke all embeds: the open frame's next refresh is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const withCsv = await new SignJWT({ dashboard: dashboardId, exports: ["csv"] })
      .setProtectedHeader({ alg: "HS256", kid: keyId })
      .setIssuedAt(now - 5)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(key));
    const frame = await frameFrom(allowedSite, `${base}/e/${withCsv}`);
    await frame.getByRole("heading", { level: 1, name: DASHBOARD.title }).waitFor();
    await frame.getByRole("button", { name: "Download CSV: Picked" }).waitFor();

    const dialog = owner.page.getByRole("dialog", { name: "Share this dashboard" });
    await dialog.getByRole("button", { name: "Revoke all embeds of this dashboard…" }).click();
    await dialog.getByRole("button", { name: "Yes, revoke all embeds" }).click();
    await dialog.getByText(/no longer open this dashboard/).waitFor();
    // Every frame that showed the dashboard counted (the refused site's and the tampered token's did not).
    const views = dialog.getByRole("region", { name: "Views" });
    await views.getByText(/last viewed (?!never)\S/).waitFor();
    expect(Number(/Viewed (\d+) times/.exec((await views.textContent()) ?? "")?.[1])).toBeGreaterThanOrEqual(3);

    await frame.getByRole("button", { name: "Refresh" }).click();
    await frame.getByRole("heading", { level: 1, name: "This embed cannot be shown" }).waitFor();
    await frame.getByText(/revoked/).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
    expect(viewer.unexpectedProblems(VIEWER_REFUSED)).toEqual([]);
  });
});
