/**
 * The data page in a real browser, used like a person would: sign up, create an organization
 * and a project, open the project's Data tab, upload a CSV file with one bad row (reported
 * with its line number), load the sample data, and query it in the SQL console (typed into
 * CodeMirror, run with Ctrl+Enter), then see a SQL error under the editor with its line. A
 * connection the server refuses shows its message at the field at fault, and a viewer sees the
 * sources and tables but nothing to upload, load or run.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, createProject, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let viewer: RecordedPage | undefined;

const OWNER = { name: "Dana Data", email: "dana@data.test", password: "tables and tables of rows" };
const ORG = { name: "Data Works", slug: "data-works" };
const PROJECT = { name: "Order analysis", slug: "order-analysis" };

// Line 5 has a field too many: the import skips it and reports it by its line.
const CSV = ["city,orders,revenue", "Oslo,10,120.5", "Rome,12,99.9", "Lima,9,80", "Bern,11,70,extra", "Nice,8,65.25", ""].join("\n");

/** A query that fails is an expected 422 (its message names the line and column). */
const EXPECTED = [{ path: /^\/api\/trpc\/data\.runQuery/, status: 422 }];

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner, viewer], EXPECTED);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("the data page", () => {
  it("signs up, creates an organization and a project, and opens its Data tab", async () => {
    owner = await harness.open();
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);
    await heading(page, PROJECT.name);

    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Data" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/data`);
    await heading(page, `${PROJECT.name}: data`);
    const sources = page.getByRole("list", { name: "Data sources" });
    await expect(sources.getByRole("listitem").first().textContent()).resolves.toContain("Warehouse");
    await page.getByRole("button", { name: "Connect PostgreSQL" }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("uploads a CSV file and lists its bad row by line number", async () => {
    const { page } = owner;
    await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "city_orders.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await expect(page.getByLabel("Table", { exact: true }).inputValue()).resolves.toBe("city_orders");
    await page.getByRole("button", { name: "Upload" }).click();
    const summary = page.getByRole("status").filter({ hasText: "Imported 4 rows into city_orders" });
    await summary.waitFor();
    await expect(summary.getByRole("list", { name: "Bad rows" }).innerText()).resolves.toContain("Line 5: Expected 3 fields, found 4");
    // The schema browser shows the new table with its typed columns.
    const tables = page.getByRole("list", { name: "Tables", exact: true });
    await tables.getByText("public.city_orders", { exact: true }).click();
    await tables.getByRole("cell", { name: "revenue" }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("loads the sample data and shows the table counts", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: "Load sample data" }).click();
    const loaded = page.getByRole("list", { name: "Sample tables" });
    await loaded.waitFor({ timeout: 90_000 });
    // Each table once, named schema.table (it once read "sample.sample.orders").
    const lines = (await loaded.innerText()).split("\n").map((l) => l.replace(/: [\d,]+ rows$/, ""));
    expect(lines).toEqual(["sample.customers", "sample.products", "sample.orders", "sample.order_items", "sample.events"]);
    await page.getByRole("list", { name: "Tables", exact: true }).getByText("sample.orders", { exact: true }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);

  it("runs a query typed in the console with Ctrl+Enter, and shows a SQL error with its line under the editor", async () => {
    const { page } = owner;
    const editor = page.getByRole("textbox", { name: "SQL console" });
    await editor.click();
    await page.keyboard.type("select count(*) from sample.orders");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Enter");
    const status = page.getByRole("status", { name: "Query result" });
    await status.waitFor();
    await expect(status.innerText()).resolves.toMatch(/^1 row in/);
    const result = page.getByRole("table", { name: "Query result" });
    await result.getByRole("columnheader", { name: /count/ }).waitFor();
    const count = await result.getByRole("cell").first().innerText();
    expect(Number(count)).toBeGreaterThan(0);

    // Run again: the same query comes from the cache.
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await status.getByText("Cached").waitFor();

    // A second line with a mistake: the error names line 2, right under the editor.
    await editor.focus(); // the cursor is still at the end of the query
    await page.keyboard.press("Enter");
    await page.keyboard.type("where nonexistent_column = 1");
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Enter");
    const alert = page.locator("#sql-console-error").getByRole("alert");
    await expect.poll(() => alert.innerText(), { timeout: 15_000 }).toMatch(/line 2/);
    await expect(editor.getAttribute("aria-invalid")).resolves.toBe("true");
    expect(owner.unexpectedProblems(EXPECTED)).toEqual([]);
  });

  it("tests a PostgreSQL connection and shows the server's refusal at the field at fault; Save keeps nothing", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: "Connect PostgreSQL" }).click();
    const form = page.getByRole("form", { name: "Connect a PostgreSQL database" });
    await form.getByLabel("Name", { exact: true }).fill("Local copy");
    // The browser tests run the server as production, where loopback addresses are refused.
    await form.getByLabel("Host").fill("127.0.0.1");
    await form.getByLabel("Database").fill("shop");
    await form.getByLabel("User", { exact: true }).fill("reader");
    await form.getByLabel("Password").fill("not the password");
    await form.getByRole("button", { name: "Test connection" }).click();
    const host = form.getByLabel("Host");
    await expect.poll(() => host.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await host.getAttribute("aria-describedby")) ?? "";
    const message = await page.evaluate((ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" "), describedBy);
    expect(message).toMatch(/loopback/);

    await form.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => host.getAttribute("aria-invalid")).toBe("true");
    await expect(page.getByRole("list", { name: "Data sources" }).getByRole("listitem").count()).resolves.toBe(1);
    await form.getByRole("button", { name: "Cancel" }).click();
    expect(owner.unexpectedProblems(EXPECTED)).toEqual([]);
  });

  it("shows a viewer the sources and tables, with no upload, sample or console", async () => {
    viewer = await harness.open();
    const { page } = viewer;
    await page.goto("/sign-up");
    await waitForHydration(page);
    await page.getByLabel("Your name").fill("Vera Viewer");
    await page.getByLabel("Work email").fill("vera@data.test");
    await page.getByLabel("Password").fill("only here to look around");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${base}/`);
    // Made a viewer directly: the invitation flow has its own test (tenancy.test.ts).
    await db.query(
      "insert into memberships (org_id, user_id, role) select o.id, u.id, 'viewer' from orgs o, users u where o.slug = $1 and u.email = $2",
      [ORG.slug, "vera@data.test"],
    );
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/data`);
    await waitForHydration(page);
    await heading(page, `${PROJECT.name}: data`);
    await page.getByRole("list", { name: "Data sources" }).getByRole("listitem").first().waitFor();
    await page.getByRole("list", { name: "Tables", exact: true }).getByText("sample.orders", { exact: true }).waitFor();
    await page.getByText("Your role lets you see the sources and their tables.").waitFor();
    for (const name of ["Connect PostgreSQL", "Upload", "Load sample data", "Run"]) {
      await expect(page.getByRole("button", { name, exact: true }).count()).resolves.toBe(0);
    }
    await expect(page.getByRole("textbox", { name: "SQL console" }).count()).resolves.toBe(0);
    expect(viewer.unexpectedProblems()).toEqual([]);
  });
});
