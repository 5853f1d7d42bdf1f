/**
 * A dbt Charts board in a real browser, as its team brings it in: New dashboard → dbt Charts
 * board, paste the board's YAML, create; the board names a source ("analytics") the project has
 * not mapped, so a notice leads to the project's dbt Charts sources page, where it is mapped to
 * the warehouse; back on the board its KPIs show. A chart is edited in the builder (its title),
 * and Export gives the board back as YAML with its comment and the new title.
 */
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { heading, reportFailure } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let db: pg.Client;
let owner: RecordedPage;

const PROJECT_BASE = "/o/board-co/p/metrics";
const BOARD_PATH = `${PROJECT_BASE}/d/weekly-kpis`;

const BOARD = `# Weekly KPIs, kept in git as charts/weekly.yml
title: Weekly KPIs
source: analytics
queries:
  totals: SELECT 1250 AS revenue, 42 AS orders
  by_region:
    columns: [region, revenue]
    values:
      - [north, 700]
      - [south, 550]
charts:
  revenue:
    type: kpi
    query: totals
    value: revenue
    label: Revenue
    style: { value: { format: currency_whole } }
  orders:
    type: kpi
    query: totals
    value: orders
    label: Orders
  regions:
    type: bar
    title: Revenue by region
    query: by_region
    x: region
    y: revenue
rows:
  - cols: [revenue, orders]
  - regions
`;

beforeAll(async () => {
  harness = await startHarness();
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  const org = (await db.query<{ id: string }>("insert into orgs (slug, name) values ('board-co', 'Board Co') returning id")).rows[0]!.id;
  await db.query("insert into projects (org_id, slug, name) values ($1, 'metrics', 'Metrics')", [org]);
  const user = (await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ('bea@board.test', 'Bea Board', now()) returning id")).rows[0]!.id;
  await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, 'owner')", [org, user]);
  const token = generateSessionToken();
  await db.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(token), user]);
  owner = await harness.open({ acceptDownloads: true });
  await owner.context.addCookies([{ name: SESSION_COOKIE, value: token, url: harness.server.url }]);
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("dbt Charts boards", () => {
  it("imports a board from the New dashboard dialog; its unmapped source is a notice linking to the mapping page", async () => {
    const { page } = owner;
    await page.goto(`${PROJECT_BASE}/dashboards`);
    await waitForHydration(page);
    await heading(page, "Metrics: dashboards");
    await page.getByRole("button", { name: "New dashboard" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New dashboard" });
    await dialog.getByLabel("Format").selectOption("dbt-charts");
    await dialog.getByLabel("Board YAML (optional)").fill(BOARD);
    await dialog.getByRole("button", { name: "Create dashboard" }).click();
    await page.waitForURL(`**${BOARD_PATH}`);
    await heading(page, "Weekly KPIs");
    await page.getByText("The board source “analytics” is not mapped").waitFor();
    await page.getByRole("link", { name: "Map the board’s sources" }).click();
    await page.waitForURL(`**${PROJECT_BASE}/board-sources`);
    await heading(page, "Metrics: dbt Charts sources");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("maps the source to the warehouse; back on the board its KPIs show", async () => {
    const { page } = owner;
    const row = page.getByRole("list", { name: "Board sources" }).getByRole("listitem").filter({ hasText: "analytics" });
    await row.getByText("Not mapped").waitFor();
    await row.getByLabel("Data source for “analytics”").selectOption("warehouse");
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByText("→ Warehouse").waitFor();
    await row.getByRole("link", { name: "Weekly KPIs" }).click();
    await page.waitForURL(`**${BOARD_PATH}`);
    await heading(page, "Weekly KPIs");
    await expect(page.getByText("is not mapped").count()).resolves.toBe(0);
    await expect.poll(() => page.locator('[data-chart="revenue"] .dash-kpi').textContent(), { timeout: 30_000 }).toBe("$1,250");
    await expect.poll(() => page.locator('[data-chart="orders"] .dash-kpi').textContent()).toBe("42");
    await page.locator('[data-chart="regions"] svg').first().waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("edits a chart in the builder and exports the board with its comment and the change", async () => {
    const { page } = owner;
    await page.locator('[data-chart="revenue"]').getByRole("link", { name: "Edit chart: Revenue" }).click();
    await page.waitForURL(`**${BOARD_PATH}/charts/revenue`);
    await heading(page, "Edit chart: Revenue");
    await page.getByLabel("Title", { exact: true }).fill("Revenue this week");
    await page.getByRole("button", { name: "Save chart" }).click();
    await page.waitForURL(`**${BOARD_PATH}`);
    await page.locator('[data-chart="revenue"]').getByRole("heading", { name: "Revenue this week" }).waitFor();
    await expect.poll(() => page.locator('[data-chart="revenue"] .dash-kpi').textContent(), { timeout: 30_000 }).toBe("$1,250");

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export board" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe("weekly-kpis.yml");
    const exported = await readFile(await file.path(), "utf8");
    expect(exported).toMatch(/^# Weekly KPIs, kept in git as charts\/weekly\.yml\n/);
    expect(exported).toContain("source: analytics");
    expect(exported).toMatch(/label: Revenue this week/);
    expect(exported).toContain("format: currency_whole");
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});
