/**
 * A dashboard taken offline, as a person would: "Export for offline" on the dashboard's page
 * downloads a zip; unpacked, its index.html opens from `file://` in Chromium with every network
 * request refused and draws the same charts (the bar chart as SVG, the KPI), with no console error.
 * `atrium preview` serves the same document from a local SQLite database, drawn the same way.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { unzipSync } from "fflate";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startPreview } from "../../plugins/sync/preview/server";
import { createOrganization, createProject, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let offline: RecordedPage | null = null;

const OWNER = { name: "Olga Offline", email: "olga@export.test", password: "charts without a server" };
const ORG = { name: "Export Works", slug: "export-works" };
const PROJECT = { name: "Field reports", slug: "field-reports" };
const YAML = `title: Revenue offline
description: Weekly revenue, drawn offline
queries:
  weekly:
    sql: select * from (values ('w1', 10), ('w2', 25), ('w3', 17)) as t(week, revenue)
charts:
  - id: revenue
    title: Revenue by week
    type: bar
    query: weekly
    x: week
    y: revenue
  - id: total
    title: First week
    type: kpi
    query: weekly
    value: revenue
`;

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, offline]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("offline export", () => {
  it("downloads a folder that draws the dashboard from file:// with the network off", async () => {
    owner = await harness.open({ acceptDownloads: true });
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);
    const { rows } = await db.query<{ org_id: string; id: string }>("select p.org_id, p.id from projects p join orgs o on o.id = p.org_id where o.slug = $1 and p.slug = $2", [ORG.slug, PROJECT.slug]);
    const created = await page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: rows[0]!.org_id, projectId: rows[0]!.id, yaml: YAML, slug: "revenue" },
    );
    expect(created).toBe(200);

    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/d/revenue`);
    await waitForHydration(page);
    await heading(page, "Revenue offline");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export for offline" }).click();
    const zip = await download;
    expect(zip.suggestedFilename()).toBe("revenue-offline.zip");
    await page.getByRole("status").filter({ hasText: "The offline export is downloaded." }).waitFor({ state: "attached" });
    expect(owner.unexpectedProblems()).toEqual([]);

    // Unpacked where a person would, then opened with no server and no network.
    const dir = mkdtempSync(join(tmpdir(), "atrium-offline-"));
    const entries = unzipSync(new Uint8Array(await (await zip.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]))));
    for (const [name, bytes] of Object.entries(entries)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    offline = await harness.open();
    const requested: string[] = [];
    await offline.context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      requested.push(url);
      return route.abort();
    });
    const view = offline.page;
    await view.goto(pathToFileURL(join(dir, "revenue-offline", "index.html")).href);
    await view.getByRole("heading", { level: 1, name: "Revenue offline" }).waitFor();
    const bar = view.getByRole("article", { name: "Revenue by week" });
    await bar.locator(".dash-vega svg").waitFor();
    await expect(bar.locator(".dash-vega svg .mark-rect path").count()).resolves.toBe(3);
    await expect(view.getByRole("article", { name: "First week" }).locator(".dash-kpi").innerText()).resolves.toBe("10");
    await view.getByText("Weekly revenue, drawn offline").waitFor();
    expect(requested).toEqual([]);
    expect(offline.unexpectedProblems()).toEqual([]);
  });
});

describe("local preview", () => {
  it("draws a folder's dashboard from a local SQLite database, with no sign-in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atrium-preview-"));
    writeFileSync(join(dir, "revenue.yaml"), YAML.replace("select * from (values ('w1', 10), ('w2', 25), ('w3', 17)) as t(week, revenue)", "select week, revenue from weekly order by week"));
    const db = new Database(join(dir, "local.db"));
    db.exec("create table weekly (week text, revenue integer); insert into weekly values ('w1', 4), ('w2', 8), ('w3', 6), ('w4', 2)");
    db.close();
    const preview = await startPreview({ dir, data: join(dir, "local.db"), port: 0 });
    try {
      offline = await harness.open();
      const { page } = offline;
      await page.goto(`${preview.url}/`);
      await page.getByRole("link", { name: "revenue" }).click();
      await page.getByRole("heading", { level: 1, name: "Revenue offline" }).waitFor();
      const bar = page.getByRole("article", { name: "Revenue by week" });
      await bar.locator(".dash-vega svg").waitFor();
      await expect(bar.locator(".dash-vega svg .mark-rect path").count()).resolves.toBe(4);
      await expect(page.getByRole("article", { name: "First week" }).locator(".dash-kpi").innerText()).resolves.toBe("4");
      expect(offline.unexpectedProblems()).toEqual([]);
    } finally {
      await preview.close();
    }
  });
});
