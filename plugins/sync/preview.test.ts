/**
 * `atrium preview`: local dashboards served on this machine from local data (a SQLite database
 * or a CSV file), with no sign-in, over real HTTP; a non-loopback address is refused, and so is
 * a request naming another host (a DNS name pointed at 127.0.0.1). The page it serves is the
 * offline viewer's, drawn in Chromium in tests/e2e/export.test.ts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runPreviewCli } from "./preview/cli";
import { startPreview, type PreviewServer } from "./preview/server";

const assets = async () => ({ js: "/* viewer */", css: "/* css */" });
let dir: string;
let sqlite: string;
let csv: string;
let server: PreviewServer;

const SALES_YAML = `title: Sales by region
variables:
  - name: minimum
    type: number
    default: 5
queries:
  by_region:
    sql: select region, sum(amount) as total from sales where amount >= {{minimum}} group by region order by region
charts:
  - id: totals
    type: bar
    query: by_region
    x: region
    y: total
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "atrium-preview-"));
  writeFileSync(join(dir, "sales.yaml"), SALES_YAML);
  writeFileSync(join(dir, "broken.yaml"), "title: Broken\ncharts: nope\n");
  writeFileSync(join(dir, "writes.yaml"), "title: Writes\nqueries:\n  w:\n    sql: delete from sales\ncharts:\n  - { id: w, type: table, query: w }\n");
  sqlite = join(dir, "local.db");
  const db = new Database(sqlite);
  db.exec("create table sales (region text, amount integer)");
  const insert = db.prepare("insert into sales values (?, ?)");
  for (const [region, amount] of [["east", 10], ["east", 3], ["west", 7], ["west", 8]] as const) insert.run(region, amount);
  db.close();
  csv = join(dir, "sales.csv");
  writeFileSync(csv, "region,amount\nnorth,4\nnorth,6\nsouth,9\n");
  server = await startPreview({ dir, data: sqlite, port: 0, assets });
});

afterAll(async () => server?.close());

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
};

describe("atrium preview", () => {
  test("lists the folder's dashboards and serves each with its queries run on the local data", async () => {
    const list = await get(`${server.url}/`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('<a href="/d/sales/">sales</a>');
    expect(list.text).toContain("tables: sales");
    const page = await get(`${server.url}/d/sales/`);
    expect(page.text).toContain("<title>Sales by region · Atrium (offline)</title>");
    expect(page.text).toContain('<script src="viewer.js"></script>');
    const data = JSON.parse((await get(`${server.url}/d/sales/data.json`)).text) as { run: { variables: unknown; results: Record<string, { ok: boolean; rows: unknown[] }> } };
    // The variable is bound as a parameter, with its default: 3 is left out.
    expect(data.run.variables).toEqual({ minimum: 5 });
    expect(data.run.results.by_region).toMatchObject({ ok: true, rows: [{ region: "east", total: 10 }, { region: "west", total: 15 }] });
    expect((await get(`${server.url}/d/sales/viewer.js`)).text).toBe("/* viewer */");
  });

  test("reads the files again on every load; a bad document or a writing query is reported, never run", async () => {
    writeFileSync(join(dir, "sales.yaml"), SALES_YAML.replace("Sales by region", "Sales, edited"));
    expect((await get(`${server.url}/d/sales/`)).text).toContain("Sales, edited");
    const broken = await get(`${server.url}/d/broken/data.js`);
    expect(broken.status).toBe(422);
    expect(broken.text).toContain("broken.yaml");
    const writes = JSON.parse((await get(`${server.url}/d/writes/data.json`)).text) as { run: { results: Record<string, unknown> } };
    expect(writes.run.results.w).toMatchObject({ ok: false, error: { code: "read_only" } });
    const db = new Database(sqlite, { readonly: true });
    expect(db.prepare("select count(*) from sales").pluck().get()).toBe(4);
    db.close();
    expect((await get(`${server.url}/d/nope/`)).status).toBe(404);
    expect((await get(`${server.url}/d/sales/../../local.db`)).status).toBe(404);
  });

  test("a CSV file is a table named after it", async () => {
    const fromCsv = await startPreview({ dir, data: csv, port: 0, assets });
    try {
      const data = JSON.parse((await get(`${fromCsv.url}/d/sales/data.json`)).text) as { run: { results: Record<string, { rows: unknown[] }> } };
      expect(data.run.results.by_region!.rows).toEqual([{ region: "north", total: 6 }, { region: "south", total: 9 }]);
    } finally {
      await fromCsv.close();
    }
  });

  test("answers its own loopback address only: another Host is refused", async () => {
    const port = new URL(server.url).port;
    const status = await new Promise<number>((ok, fail) => {
      http.get({ host: "127.0.0.1", port, path: "/d/sales/data.json", headers: { host: `attacker.example:${port}` } }, (res) => ok(res.statusCode ?? 0)).on("error", fail);
    });
    expect(status).toBe(421);
  });

  test("refuses to listen on a non-loopback address", async () => {
    const err: string[] = [];
    for (const host of ["0.0.0.0", "192.168.1.10", "::", "example.com"]) {
      const code = await runPreviewCli([dir, "--data", sqlite, "--host", host, "--port", "0"], { root: process.cwd(), stdout: () => undefined, stderr: (t) => err.push(t), until: Promise.resolve() });
      expect(code).toBe(2);
    }
    expect(err.join("")).toContain("Refusing to listen on 0.0.0.0");
    const out: string[] = [];
    const code = await runPreviewCli([dir, "--data", sqlite, "--port", "0"], { root: process.cwd(), stdout: (t) => out.push(t), stderr: (t) => err.push(t), until: Promise.resolve() });
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/at http:\/\/127\.0\.0\.1:\d+\/ \(no sign-in; this machine only\)/);
    expect((await runPreviewCli([dir], { root: process.cwd(), stdout: () => undefined, stderr: () => undefined, until: Promise.resolve() }))).toBe(2);
  });
});
