/**
 * Local data reaching the cloud, seen in a real browser: rows sent over the ingestion API with a
 * personal access token appear in the project's Data tab (Synced datasets, with the machine that
 * sent them), and the public REST API's reference page lists its operations.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import { createOrganization, createProject, heading, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let token: string;

const OWNER = { name: "Sam Sync", email: "sam@sync.test", password: "rows travel from laptops" };
const ORG = { name: "Sync Works", slug: "sync-works" };
const PROJECT = { name: "Laptop data", slug: "laptop-data" };

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

describe("synced datasets", () => {
  it("the Data tab lists no dataset until a machine sends one", async () => {
    owner = await harness.open();
    const { page } = owner;
    await signUpConfirmed(page, base, db, OWNER);
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);
    await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Data" }).click();
    await heading(page, `${PROJECT.name}: data`);
    const section = page.getByRole("region", { name: "Synced datasets" });
    await section.getByText("No dataset yet.").waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("rows a machine sends show with their count, the machine and its last sync", async () => {
    token = generateApiToken();
    await db.query(
      `insert into api_tokens (user_id, org_id, name, token_hash, scopes)
       select u.id, o.id, 'laptop', $1, '{read,write}' from users u, orgs o where u.email = $2 and o.slug = $3`,
      [hashApiToken(token), OWNER.email, ORG.slug],
    );
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const registered = await fetch(`${base}/api/v1/sources`, { method: "POST", headers, body: JSON.stringify({ projectKey: "notes-db", machineId: "sams-laptop", name: "Sam's laptop" }) });
    expect(registered.status).toBe(200);
    const source = (await registered.json()) as { id: string };
    const rows = [1, 2, 3].map((id) => JSON.stringify({ id, tool: ["grep", "sed", "awk"][id - 1], ms: id * 10 })).join("\n");
    const sent = await fetch(`${base}/api/v1/datasets/tool_calls/rows`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-ndjson", "atrium-key": "id", "atrium-source": source.id, "atrium-cursor": "3" },
      body: rows,
    });
    expect(await sent.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [], cursor: "3" });

    const { page } = owner;
    await page.reload();
    await heading(page, `${PROJECT.name}: data`);
    const table = page.getByRole("table", { name: "Synced datasets" });
    const row = table.getByRole("row").filter({ hasText: "tool_calls" });
    await row.waitFor();
    await expect(row.getByRole("cell").allInnerTexts()).resolves.toEqual(["tool_calls", "3", expect.any(String), "Sam's laptop (sams-laptop)"]);
    const machines = page.getByRole("list", { name: "Machines that sync" });
    await expect(machines.getByRole("listitem").innerText()).resolves.toMatch(/Sam's laptop[\s\S]*last sync[\s\S]*3 rows sent/);
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});

describe("the REST API", () => {
  it("the reference page lists the operations, and the same token calls one", async () => {
    const visitor = await harness.open();
    const { page } = visitor;
    await page.goto("/developers/api");
    await heading(page, "API reference");
    await page.getByRole("heading", { name: "GET /orgs/{orgId}/projects", exact: true }).waitFor();
    await page.getByRole("heading", { name: "POST /orgs/{orgId}/projects/{projectId}/dashboards/{slug}/run" }).waitFor();
    await expect(page.getByRole("table", { name: "Inputs of GET /orgs/{orgId}/projects", exact: true }).innerText()).resolves.toContain("includeArchived");
    expect(visitor.unexpectedProblems()).toEqual([]);

    const org = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    const projects = await fetch(`${base}/api/v1/orgs/${org.rows[0]!.id}/projects`, { headers: { authorization: `Bearer ${token}` } });
    expect(projects.status).toBe(200);
    expect(((await projects.json()) as { items: Array<{ slug: string }> }).items.map((p) => p.slug)).toContain(PROJECT.slug);
  });
});
