/**
 * Dashboards in a real browser, used as a person would: sign up, create an organization and a
 * project, load the sample data, open Dashboards and create one (it opens in the editor), build
 * a chart in the visual builder (table, dimension, measure), see its preview and its SQL, save
 * it into the dashboard and see it drawn (an SVG in its card), full screen and downloads, and
 * edit it again in the builder. Then add a variable and a broken
 * query through the YAML editor (a typo is marked on its line first), change the variable and
 * see the chart run again, and the broken chart's error in its card. Two tabs on the same
 * editor: the second save gets the conflict dialog, Compare shows both, Reload takes theirs.
 * History lists the versions and restores the first; duplicate, delete, then restore from "Deleted".
 */
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let second: RecordedPage | undefined;

const OWNER = { name: "Dora Dash", email: "dora@dash.test", password: "charts all the way down" };
const ORG = { name: "Dash Works", slug: "dash-works" };
const PROJECT = { name: "Sales review", slug: "sales-review" };
const DASHBOARD = { title: "Sales overview", slug: "sales-overview" };
const projectBase = () => `/o/${ORG.slug}/p/${PROJECT.slug}`;
const dashboardPath = () => `${projectBase()}/d/${DASHBOARD.slug}`;

/** The second tab's save is refused on purpose (someone saved a newer version). */
const CONFLICT = [{ path: /^\/api\/trpc\/dashboards\.update/, status: 409 }];

/** The document the YAML editor gets: a status variable, a KPI that depends on it, a broken query. */
const YAML_WITH_VARIABLE = `title: ${DASHBOARD.title}
description: Orders by channel and status.
tags: [sales, weekly]
variables:
  - name: status
    type: select
    label: Order status
    default: completed
    options: [completed, cancelled, refunded]
queries:
  by_channel:
    sql: |
      select channel, sum(total) as revenue
      from sample.orders
      where status = {{status}}
      group by 1
      order by 1
  order_count:
    sql: select count(*) as orders from sample.orders where status = {{status}}
  broken:
    sql: select no_such_column from sample.orders
charts:
  - id: by-channel
    title: Revenue by channel
    type: bar
    query: by_channel
    x: channel
    y: revenue
  - id: orders
    title: Orders
    type: kpi
    query: order_count
    value: orders
    format: { value: ".3~s" }
  - id: broken
    title: Broken chart
    type: table
    query: broken
  - id: revenue-table
    title: Revenue table
    type: table
    query: by_channel
    format: { revenue: "$,.0f" }
layout:
  rows:
    - [{ chart: by-channel, width: 8 }, { chart: orders, width: 4 }]
    - [{ chart: broken, width: 6 }, { chart: revenue-table, width: 6 }]
`;

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, second], CONFLICT);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

/** Replaces the text of the CodeMirror editor labelled `name`. */
async function replaceEditorText(page: Page, name: string, text: string) {
  const editor = page.getByRole("textbox", { name });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

async function editorText(page: Page, name: string): Promise<string> {
  return page.getByRole("textbox", { name }).evaluate((el) => [...el.querySelectorAll(".cm-line")].map((l) => l.textContent).join("\n"));
}

describe("dashboards", () => {
  it("signs up, creates an organization and a project, and loads the sample data", async () => {
    owner = await harness.open();
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    await page.getByRole("button", { name: "New project" }).click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.getByLabel("Project name").fill(PROJECT.name);
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${base}${projectBase()}`);
    await heading(page, PROJECT.name);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Data" }).click();
    await heading(page, `${PROJECT.name}: data`);
    await page.getByRole("button", { name: "Load sample data" }).click();
    await page.getByRole("list", { name: "Sample tables" }).waitFor({ timeout: 90_000 });
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);

  it("opens Dashboards and creates a dashboard, which opens in the editor", async () => {
    const { page } = owner;
    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Dashboards" }).click();
    await page.waitForURL(`${base}${projectBase()}/dashboards`);
    await heading(page, `${PROJECT.name}: dashboards`);
    await page.getByRole("heading", { name: "No dashboards yet" }).waitFor();
    await page.getByRole("button", { name: "New dashboard" }).click();
    const dialog = page.getByRole("dialog", { name: "New dashboard" });
    await dialog.getByLabel("Title").fill(DASHBOARD.title);
    await dialog.getByRole("button", { name: "Create dashboard" }).click();
    await page.waitForURL(`${base}${dashboardPath()}/edit`);
    await heading(page, "Edit dashboard");
    await expect.poll(() => editorText(page, "Dashboard YAML")).toContain(`title: ${DASHBOARD.title}`);
    await page.getByText("No problems found.").waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("names the org, project and dashboard in the breadcrumbs, and answers 404 for a dashboard the caller cannot see", async () => {
    const { page } = owner;
    const crumbs = () => page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("listitem").allTextContents();
    const trail = ["Home", ORG.name, PROJECT.name, DASHBOARD.title];
    // The procedures the page calls, one name per call (a batch names several).
    const asked: string[] = [];
    const scripts: string[] = [];
    const onRequest = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/trpc/")) asked.push(...url.pathname.slice("/api/trpc/".length).split(","));
      if (url.pathname.startsWith("/_build/assets/")) scripts.push(url.pathname.slice("/_build/assets/".length));
    };
    page.on("request", onRequest);
    const view = await page.goto(`${base}${dashboardPath()}`);
    expect(view?.status()).toBe(200);
    // The page carries the person's own data: never kept by a shared cache, nor by the browser.
    expect(view?.headers()["cache-control"]).toBe("private, no-store");
    // Rendered on the server (`serverRender`): its HTML is the page's header and the empty
    // cards, not a spinner; the cards fill in in the browser.
    const html = (await view?.text()) ?? "";
    expect(html).toMatch(new RegExp(`<h1 class="page-header__title"[^>]*>${DASHBOARD.title}</h1>`));
    expect(html).toContain("dash-card--pending");
    expect(html).not.toContain("Loading page…");
    await heading(page, DASHBOARD.title);
    await expect.poll(crumbs).toEqual(trail);
    await page.waitForLoadState("networkidle");
    // Its first data came with it: who is signed in, the org, the project, the dashboard, and
    // the first answers of the public-link banner and the assistant (their slots' `boot`).
    expect(asked).toContain("dashboards.run");
    const brought = ["auth.me", "orgs.bySlug", "projects.bySlug", "dashboards.get", "sharing.links.list", "assistant.status"];
    expect(asked.filter((name) => brought.includes(name))).toEqual([]);
    // The dashboard arrived prepared: its YAML parser (ui/doc.ts) is not downloaded, let alone
    // run, before the page paints (nor by the share button's panels, which load it when opened).
    expect(scripts.filter((file) => file.startsWith("doc-"))).toEqual([]);
    const edit = await page.goto(`${base}${dashboardPath()}/edit`);
    expect(edit?.status()).toBe(200);
    await expect.poll(crumbs).toEqual([...trail, "Edit"]);
    // A page reached in the browser asks for its record itself: the HTML's answers serve one load, once.
    asked.length = 0;
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: DASHBOARD.title }).click();
    await page.waitForURL(`${base}${dashboardPath()}`);
    await heading(page, DASHBOARD.title);
    await expect.poll(() => asked).toContain("dashboards.get");
    page.off("request", onRequest);

    // Back where the next step starts: the editor.
    await page.goto(`${base}${dashboardPath()}/edit`);
    await heading(page, "Edit dashboard");
    await expect.poll(() => editorText(page, "Dashboard YAML")).toContain(`title: ${DASHBOARD.title}`);
    expect(owner.unexpectedProblems()).toEqual([]);

    // As the owner, in another tab: a slug with no dashboard behind it, and a project that does
    // not exist, answer 404, and the frame says so.
    const probe = await harness.open();
    await probe.context.addCookies(await owner.context.cookies());
    const bogus = await probe.page.goto(`${base}${projectBase()}/d/no-such-dashboard`);
    expect(bogus?.status()).toBe(404);
    await heading(probe.page, "Dashboard not found");
    const noProject = await probe.page.goto(`${base}/o/${ORG.slug}/p/no-such-project/d/${DASHBOARD.slug}`);
    expect(noProject?.status()).toBe(404);
    await heading(probe.page, "Project not found");
    expect(
      probe.unexpectedProblems([
        { path: `${projectBase()}/d/no-such-dashboard`, status: 404 },
        { path: `/o/${ORG.slug}/p/no-such-project/d/${DASHBOARD.slug}`, status: 404 },
        { path: /^\/api\/trpc\/(dashboards\.get|projects\.bySlug)[,?]/, status: 404 },
      ]),
    ).toEqual([]);
    await probe.close();

    // Another organization's dashboard, to a signed-in person who is not a member: 404 as well.
    second = await harness.open();
    await signUpConfirmed(second.page, base, db, { name: "Otto Outsider", email: "otto@outside.test", password: "not a member here" });
    const foreign = await second.page.goto(`${base}${dashboardPath()}`);
    expect(foreign?.status()).toBe(404);
    await heading(second.page, "Organization not found");
    expect(second.unexpectedProblems([{ path: dashboardPath(), status: 404 }, { path: /^\/api\/trpc\/orgs\.bySlug[,?]/, status: 404 }])).toEqual([]);
    await second.close();
    second = undefined;
  });

  it("builds a chart visually, previews it, shows its SQL, and saves it into the dashboard", async () => {
    const { page } = owner;
    await page.getByRole("link", { name: "Add chart" }).click();
    await page.waitForURL(`${base}${dashboardPath()}/charts/new`);
    await heading(page, "New chart");
    const table = page.getByLabel("Table", { exact: true });
    await expect.poll(() => table.locator("option").allInnerTexts()).toContain("sample.orders");
    await table.selectOption("sample.orders");
    await page.getByRole("button", { name: "Add dimension" }).click();
    await page.getByLabel("Dimension 1 column").selectOption("channel");
    await page.getByRole("button", { name: "Add measure" }).click();
    await page.getByLabel("Measure 1 function").selectOption("sum");
    await page.getByLabel("Measure 1 column").selectOption("total");
    // The SQL is shown live as the query is built.
    const compiled = page.getByTestId("compiled-sql");
    await expect.poll(() => compiled.innerText()).toMatch(/sum\("total"\)/i);
    await expect(compiled.innerText()).resolves.toMatch(/group by/i);

    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => page.locator("#run-status").innerText()).toMatch(/^3 rows in/);
    await page.getByRole("table", { name: "Query result" }).getByRole("cell", { name: "web", exact: true }).waitFor();
    const preview = page.locator('[data-chart="preview"]');
    await preview.locator("svg").first().waitFor();
    // Settings change the preview live: a pie draws arcs.
    await page.getByLabel("Chart type").selectOption("pie");
    await expect.poll(() => preview.locator("svg path[aria-roledescription='arc mark']").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByLabel("Chart type").selectOption("bar");
    await expect.poll(() => preview.locator("svg path[aria-roledescription='bar']").count(), { timeout: 10_000 }).toBe(3);
    await page.getByLabel("Title", { exact: true }).fill("Revenue by channel");
    await page.getByLabel("Chart id").fill("by-channel");

    await page.getByRole("button", { name: "Switch to SQL" }).click();
    await expect.poll(() => editorText(page, "Chart SQL")).toMatch(/sum\("total"\)/i);
    await expect(page.getByRole("button", { name: "SQL", exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");

    await page.getByRole("button", { name: "Save into dashboard" }).click();
    await page.waitForURL(`${base}${dashboardPath()}`);
    await heading(page, DASHBOARD.title);
    const card = page.locator('[data-chart="by-channel"]');
    await card.getByRole("heading", { name: "Revenue by channel" }).waitFor();
    await card.locator("svg").first().waitFor({ timeout: 20_000 });
    await page.getByRole("status").filter({ hasText: /Last run/ }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("opens a chart full screen (Escape closes it, focus returns) and offers its downloads", async () => {
    const { page } = owner;
    const card = page.locator('[data-chart="by-channel"]');
    const full = card.getByRole("button", { name: "Full screen: Revenue by channel" });
    await full.click();
    const dialog = page.getByRole("dialog", { name: "Revenue by channel" });
    await dialog.locator("svg").first().waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => full.evaluate((el) => el === document.activeElement)).toBe(true);

    const download = page.waitForEvent("download");
    await card.getByRole("button", { name: "Download CSV: Revenue by channel" }).click();
    const csv = await download;
    expect(csv.suggestedFilename()).toBe("by-channel.csv");
    const svg = page.waitForEvent("download");
    await card.getByRole("button", { name: "Download SVG: Revenue by channel" }).click();
    expect((await svg).suggestedFilename()).toBe("by-channel.svg");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("edits a saved chart in the builder: its SQL loads, a new type saves over it", async () => {
    const { page } = owner;
    await page.locator('[data-chart="by-channel"]').getByRole("link", { name: "Edit chart: Revenue by channel" }).click();
    await page.waitForURL(`${base}${dashboardPath()}/charts/by-channel`);
    await heading(page, "Edit chart: Revenue by channel");
    await expect(page.getByRole("button", { name: "SQL", exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");
    await expect.poll(() => editorText(page, "Chart SQL")).toMatch(/sum\("total"\)/i);
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.locator('[data-chart="preview"] svg').first().waitFor();
    await page.getByLabel("Chart type").selectOption("line");
    await page.getByRole("button", { name: "Save chart" }).click();
    await page.waitForURL(`${base}${dashboardPath()}`);
    const card = page.locator('[data-chart="by-channel"]');
    await expect.poll(() => card.locator("svg path[aria-roledescription='line mark']").count(), { timeout: 20_000 }).toBe(1);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("marks a YAML mistake on its line, saves a variable and a broken query, reruns on a variable change and shows the error in place", async () => {
    const { page } = owner;
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL(`${base}${dashboardPath()}/edit`);
    await heading(page, "Edit dashboard");
    await page.getByText("No problems found.").waitFor();

    // A typo: listed with its path and hint, and marked on its line.
    await replaceEditorText(page, "Dashboard YAML", YAML_WITH_VARIABLE.replace("type: kpi", "type: kip"));
    const problems = page.getByRole("list", { name: "Problems" });
    await expect.poll(() => problems.innerText().catch(() => "")).toMatch(/charts\.1\.type/);
    await expect(problems.innerText()).resolves.toMatch(/kpi/);
    await expect.poll(() => page.locator(".cm-error-line").count()).toBeGreaterThan(0);

    await replaceEditorText(page, "Dashboard YAML", YAML_WITH_VARIABLE);
    await page.getByText("No problems found.").waitFor();
    // The layout editor follows the YAML, and rewrites it: make the KPI wider, then narrower again.
    const layout = page.getByRole("list", { name: "Layout rows" });
    await layout.getByRole("button", { name: "Narrower: Orders" }).click();
    await expect.poll(() => editorText(page, "Dashboard YAML")).toMatch(/chart: orders, width: 3/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Narrower: Orders");
    await layout.getByRole("button", { name: "Wider: Orders" }).click();
    await expect.poll(() => editorText(page, "Dashboard YAML")).toMatch(/chart: orders, width: 4/);
    await page.getByLabel("Note for this version (optional)").fill("Status variable");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("All changes saved.").waitFor();

    await page.getByRole("button", { name: "Close" }).click();
    await page.waitForURL(`${base}${dashboardPath()}`);
    const kpi = page.locator('[data-chart="orders"] .dash-kpi');
    await kpi.waitFor();
    // The KPI's d3-format applies: thousands as "31.2k".
    await expect.poll(() => kpi.innerText()).toMatch(/^\d+(\.\d+)?k$/);
    const completed = await kpi.innerText();
    // The broken query's error shows in its own card; the others still draw.
    const broken = page.locator('[data-chart="broken"]');
    await expect(broken.getByRole("alert").innerText()).resolves.toMatch(/no_such_column/);
    await page.locator('[data-chart="by-channel"] svg').first().waitFor();
    // A table applies its column formats.
    const table = page.getByRole("table", { name: "Revenue table" });
    await expect.poll(() => table.getByRole("cell").nth(1).innerText()).toMatch(/^\$[\d,]+$/);

    // Another status: the charts run again with it, and the address carries it.
    const rerun = page.waitForRequest((r) => r.url().includes("dashboards.run") && decodeURIComponent(r.url()).includes('"status":"cancelled"'));
    await page.getByLabel("Order status").selectOption("cancelled");
    await rerun;
    await expect.poll(() => kpi.innerText()).not.toBe(completed);
    expect(page.url()).toContain("var.status=cancelled");
    // The link opens the same view.
    await page.reload();
    await waitForHydration(page);
    await expect.poll(() => page.getByLabel("Order status").inputValue()).toBe("cancelled");
    await expect.poll(() => kpi.innerText()).not.toBe(completed);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("refuses a save over a newer version from a second tab: Compare shows both, Reload takes theirs", async () => {
    const { page } = owner;
    second = await harness.open({ storageState: await owner.context.storageState() });
    for (const p of [page, second.page]) {
      await p.goto(`${dashboardPath()}/edit`);
      await waitForHydration(p);
      await heading(p, "Edit dashboard");
      await expect.poll(() => editorText(p, "Dashboard YAML")).toContain("order_count");
    }
    await replaceEditorText(page, "Dashboard YAML", YAML_WITH_VARIABLE.replace("description: Orders by channel and status.", "description: Saved in the first tab."));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("All changes saved.").waitFor();

    const other = second.page;
    await replaceEditorText(other, "Dashboard YAML", YAML_WITH_VARIABLE.replace("description: Orders by channel and status.", "description: Saved in the second tab."));
    await other.getByRole("button", { name: "Save", exact: true }).click();
    const conflict = other.getByRole("dialog", { name: "Someone saved a newer version" });
    await conflict.waitFor();
    await conflict.getByRole("button", { name: "Compare" }).click();
    await expect.poll(() => conflict.locator(".cm-mergeView").innerText()).toContain("Saved in the first tab.");
    await expect(conflict.locator(".cm-mergeView").innerText()).resolves.toContain("Saved in the second tab.");
    await conflict.getByRole("button", { name: "Reload (lose mine)" }).click();
    await conflict.waitFor({ state: "hidden" });
    await expect.poll(() => editorText(other, "Dashboard YAML")).toContain("Saved in the first tab.");
    await other.getByText("All changes saved.").waitFor();
    expect(second.unexpectedProblems(CONFLICT)).toEqual([]);
    expect(owner.unexpectedProblems()).toEqual([]);
    await second.close();
    second = undefined;
  });

  it("lists the versions with their notes, shows a diff and restores the first version", async () => {
    const { page } = owner;
    await page.getByRole("link", { name: "History" }).click();
    await page.waitForURL(`${base}${dashboardPath()}/history`);
    await heading(page, "History");
    const versions = page.getByRole("list", { name: "Versions" });
    // Created, chart added, chart changed, status variable, the first tab's save.
    await expect.poll(() => versions.getByRole("listitem").count()).toBe(5);
    await versions.getByText("Status variable").waitFor();
    await versions.getByRole("button", { name: "Compare version 1 with the current one" }).click();
    const diff = page.getByLabel("Differences");
    await expect.poll(() => diff.innerText()).toMatch(/^\+ +- name: status$/m);
    await page.getByRole("button", { name: "Restore version 1" }).click();
    await page.getByText("Current version: 6").waitFor();
    await expect.poll(() => versions.getByRole("listitem").count()).toBe(6);

    await page.goto(dashboardPath());
    await waitForHydration(page);
    await page.locator('[data-chart="example"]').waitFor();
    await expect(page.locator('[data-chart="orders"]').count()).resolves.toBe(0);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("pages a long history: fifty versions first, then older ones with Show older versions", async () => {
    const { page } = owner;
    // 54 more saves through the API, as the signed-in person (6 → 60 versions).
    const { rows } = await db.query<{ org_id: string; project_id: string; version: number; yaml: string }>(
      "select d.org_id, d.project_id, d.version, v.yaml from dashboards_dashboards d join dashboards_versions v on v.dashboard_id = d.id and v.version = d.version where d.slug = $1",
      [DASHBOARD.slug],
    );
    const current = rows[0]!;
    await page.evaluate(async (at) => {
      for (let version = at.version; version < at.version + 54; version++) {
        const res = await fetch("/api/trpc/dashboards.update", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ orgId: at.orgId, projectId: at.projectId, slug: at.slug, version, yaml: `${at.yaml}\n# save ${version + 1}\n`, message: `Save ${version + 1}` }),
        });
        if (!res.ok) throw new Error(`save ${version + 1}: ${res.status}`);
      }
    }, { orgId: current.org_id, projectId: current.project_id, slug: DASHBOARD.slug, version: current.version, yaml: current.yaml });
    await page.goto(`${dashboardPath()}/history`);
    await waitForHydration(page);
    await page.getByText("Current version: 60").waitFor();
    const versions = page.getByRole("list", { name: "Versions" });
    await expect.poll(() => versions.getByRole("listitem").count()).toBe(50);
    await expect(versions.getByRole("listitem").first().innerText()).resolves.toContain("Version 60 (current)");
    const older = page.getByRole("button", { name: "Show older versions" });
    await older.click();
    await expect.poll(() => versions.getByRole("listitem").count()).toBe(60);
    await versions.getByText("Version 1", { exact: true }).waitFor();
    await older.waitFor({ state: "detached" });
    // An old version from the second page compares like any other.
    await versions.getByRole("button", { name: "Compare version 2 with the current one" }).click();
    await expect.poll(() => page.getByLabel("Differences").innerText()).toContain("# save 60");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("duplicates the dashboard, deletes it from the list, then restores it from Deleted", async () => {
    const { page } = owner;
    await page.goto(`${projectBase()}/dashboards`);
    await waitForHydration(page);
    const list = page.getByRole("list", { name: "Dashboards" });
    await list.getByRole("link", { name: DASHBOARD.title, exact: true }).waitFor();
    await list.getByRole("button", { name: `Duplicate ${DASHBOARD.title}`, exact: true }).click();
    await page.getByText(`Duplicated “${DASHBOARD.title}”`).waitFor();
    await expect.poll(() => list.getByRole("listitem").count()).toBe(2);

    await list.getByRole("button", { name: `Delete ${DASHBOARD.title}`, exact: true }).click();
    await page.getByText(`Deleted “${DASHBOARD.title}”.`).waitFor();
    await expect.poll(() => list.getByRole("link", { name: DASHBOARD.title, exact: true }).count()).toBe(0);
    await expect(list.getByRole("listitem").count()).resolves.toBe(1);

    await page.getByRole("checkbox", { name: "Deleted" }).check();
    const deleted = page.getByRole("list", { name: "Deleted dashboards" });
    await deleted.getByRole("button", { name: `Restore ${DASHBOARD.title}`, exact: true }).click();
    await page.getByRole("heading", { name: "No deleted dashboards" }).waitFor();
    await page.getByRole("checkbox", { name: "Deleted" }).uncheck();
    await list.getByRole("link", { name: DASHBOARD.title, exact: true }).click();
    await page.waitForURL(`${base}${dashboardPath()}`);
    await heading(page, DASHBOARD.title);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("uses the width of the window: a full-width chart spans most of a 1440 px window, a date range sits on one line, the unconfigured assistant is a button", async () => {
    const { page } = owner;
    const { rows } = await db.query<{ org_id: string; id: string }>("select p.org_id, p.id from projects p join orgs o on o.id = p.org_id where o.slug = $1 and p.slug = $2", [ORG.slug, PROJECT.slug]);
    const yaml = `title: Wide view
variables:
  - name: period
    type: daterange
    label: Period
    default: { start: "2024-01-01", end: "2024-12-31" }
queries:
  numbers:
    sql: select 1 as x, 2 as y
charts:
  - id: numbers
    title: Numbers
    type: bar
    query: numbers
    x: x
    y: y
layout:
  rows:
    - [{ chart: numbers, width: 12 }]
`;
    const status = await page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: rows[0]!.org_id, projectId: rows[0]!.id, yaml, slug: "wide-view" },
    );
    expect(status).toBe(200);
    const before = page.viewportSize();
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      await page.goto(`${projectBase()}/d/wide-view`);
      await waitForHydration(page);
      const card = page.locator('[data-chart="numbers"]');
      await card.locator("svg").first().waitFor();
      // No model here: the assistant is folded to a button and the chart gets the room.
      const toggle = page.getByRole("button", { name: "Show assistant" });
      await toggle.waitFor();
      await expect(toggle.getAttribute("aria-expanded")).resolves.toBe("false");
      // The left navigation and the action rail (share, comments, review) keep their columns;
      // the chart takes the rest of the window, with no column reserved for the folded assistant.
      const rail = (await page.locator("aside.action-rail").boundingBox())!;
      const nav = (await page.locator("nav.sidenav").boundingBox())!;
      await expect.poll(async () => (await card.boundingBox())!.width).toBeGreaterThan(0.85 * (1440 - rail.width - nav.width));
      // The chart is drawn for the card's width, not the narrow width of a reserved column.
      await expect.poll(async () => (await card.locator("svg").first().boundingBox())!.width).toBeGreaterThan(0.5 * 1440);

      const from = (await page.getByLabel("Period: from").boundingBox())!;
      const to = (await page.getByLabel("Period: to").boundingBox())!;
      expect(Math.abs(from.y - to.y)).toBeLessThan(4);
      expect(to.x).toBeGreaterThan(from.x + from.width);

      // Opened on purpose, it says how to configure a model; folded again, the chart widens back.
      await toggle.click();
      await page.getByText("The assistant is not set up yet").waitFor();
      await page.getByRole("button", { name: "Hide assistant" }).click();
      await page.getByText("The assistant is not set up yet").waitFor({ state: "hidden" });
      await expect.poll(async () => (await card.boundingBox())!.width).toBeGreaterThan(0.85 * (1440 - rail.width - nav.width));
    } finally {
      if (before) await page.setViewportSize(before);
    }
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("shows a dashboard's tabs: the first selected, a click or the arrow keys change the charts shown", async () => {
    const { page } = owner;
    const { rows } = await db.query<{ org_id: string; id: string }>("select p.org_id, p.id from projects p join orgs o on o.id = p.org_id where o.slug = $1 and p.slug = $2", [ORG.slug, PROJECT.slug]);
    const yaml = `title: Tabbed view
queries:
  numbers:
    sql: select 1 as x, 2 as y
charts:
  - { id: first, title: On the first tab, type: bar, query: numbers, x: x, y: y }
  - { id: second, title: On the second tab, type: table, query: numbers }
layout:
  tabs:
    - title: Summary
      rows:
        - [{ chart: first, width: 12 }]
    - title: Details
      rows:
        - [{ chart: second, width: 12 }]
`;
    const status = await page.evaluate(
      async (input) => (await fetch("/api/trpc/dashboards.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) })).status,
      { orgId: rows[0]!.org_id, projectId: rows[0]!.id, yaml, slug: "tabbed-view" },
    );
    expect(status).toBe(200);
    await page.goto(`${projectBase()}/d/tabbed-view`);
    await waitForHydration(page);
    const tabs = page.getByRole("tablist", { name: "Dashboard tabs" });
    const summary = tabs.getByRole("tab", { name: "Summary" });
    const details = tabs.getByRole("tab", { name: "Details" });
    await expect(summary.getAttribute("aria-selected")).resolves.toBe("true");
    await page.getByRole("tabpanel").locator('[data-chart="first"] svg').first().waitFor();
    expect(await page.locator('[data-chart="second"]').count()).toBe(0);

    await details.click();
    await expect(details.getAttribute("aria-selected")).resolves.toBe("true");
    await page.locator('[data-chart="second"]').waitFor();
    expect(await page.locator('[data-chart="first"]').count()).toBe(0);

    // The keyboard: the arrow keys move the selection and the focus, around the ends.
    await details.press("ArrowRight");
    await expect(summary.getAttribute("aria-selected")).resolves.toBe("true");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Summary");
    await page.locator('[data-chart="first"]').waitFor();
    await summary.press("ArrowLeft");
    await expect(details.getAttribute("aria-selected")).resolves.toBe("true");
    await expect(details.getAttribute("tabindex")).resolves.toBe("0");
    await expect(summary.getAttribute("tabindex")).resolves.toBe("-1");
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});
