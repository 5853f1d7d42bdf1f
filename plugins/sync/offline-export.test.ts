/**
 * A dashboard exported for offline use, over real HTTP into the real API handler: the folder's
 * files as JSON (what `atrium export` writes) and as a zip (the button's download), the same
 * authorization as the dashboard's own procedures, and the CLI writing a folder. (The folder
 * opening from `file://` in Chromium with the network off: tests/e2e/export.test.ts.)
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runRemoteCli } from "~/cli/remote";
import { writeConfig } from "~/cli/config";
import { colleague, workspace } from "../dashboards/test-helpers";
import { bootSyncServer, createToken } from "./test-helpers";

export const OFFLINE_YAML = `title: "Revenue <offline>"
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
    title: Total
    type: kpi
    query: weekly
    value: revenue
`;

let s: Awaited<ReturnType<typeof bootSyncServer>>;
let w: Awaited<ReturnType<typeof workspace>>;
let token: string;
const path = (slug = "revenue") => `/api/v1/export/${w.org.id}/${w.project.id}/${slug}`;

beforeAll(async () => {
  s = await bootSyncServer();
  w = await workspace(s.kernel, "viewer");
  // A viewer may export what they may view: the dashboard is saved by an editor.
  const editor = await colleague(s.kernel, w.org.id, "editor");
  await editor.caller.dashboards.create({ ...w.at, slug: "revenue", yaml: OFFLINE_YAML });
  token = await createToken(s.kernel, w.user.id, w.org.id, ["read"]);
}, 60_000);

afterAll(async () => s?.close());

const get = (url: string, bearer: string | null = token) => fetch(`${s.url}${url}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

describe("GET /api/v1/export/:org/:project/:slug", () => {
  test("answers the folder: the page, the dashboard with its rows, and the bundled viewer", async () => {
    const res = await get(`${path()}?format=json`);
    expect(res.status).toBe(200);
    const { files } = (await res.json()) as { files: Record<string, string> };
    expect(Object.keys(files).sort()).toEqual(["data.js", "data.json", "index.html", "viewer.css", "viewer.js"]);
    const data = JSON.parse(files["data.json"]!) as { title: string; yaml: string; run: { results: Record<string, { ok: boolean; rows: unknown[] }> } };
    expect(data.title).toBe("Revenue <offline>");
    expect(data.yaml).toBe(OFFLINE_YAML);
    expect(data.run.results.weekly).toMatchObject({ ok: true, rows: [{ week: "w1", revenue: 10 }, { week: "w2", revenue: 25 }, { week: "w3", revenue: 17 }] });
    expect(files["data.js"]).toBe(`window.ATRIUM_OFFLINE = ${files["data.json"]!.trim()};\n`);
    // The title is escaped; the page loads only its own files and may not connect anywhere.
    expect(files["index.html"]).toContain("<title>Revenue &#60;offline&#62; · Atrium (offline)</title>");
    expect(files["index.html"]).toContain("connect-src 'none'");
    expect(files["index.html"]).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(files["viewer.js"]!.length).toBeGreaterThan(100_000);
    expect(files["viewer.js"]).not.toMatch(/\bimport\s*\(|\/api\/trpc/);
  }, 120_000);

  test("as a zip by default, its files in one folder", async () => {
    const res = await get(path());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="revenue-offline.zip"');
    const entries = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(["data.js", "data.json", "index.html", "viewer.css", "viewer.js"].map((f) => `revenue-offline/${f}`));
    expect(strFromU8(entries["revenue-offline/index.html"]!)).toContain('<script src="viewer.js"></script>');
  }, 60_000);

  test("is refused as the dashboard's procedures refuse: no credential, another org, a missing dashboard", async () => {
    expect((await get(path(), null)).status).toBe(401);
    const other = await workspace(s.kernel, "owner");
    const outsider = await createToken(s.kernel, other.user.id, other.org.id, ["read", "write"]);
    const refused = await get(path(), outsider);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    expect((await get(path("no-such-board"))).status).toBe(404);
    expect((await get(`/api/v1/export/not-an-id/${w.project.id}/revenue`)).status).toBe(404);
    expect((await get(`${path()}?format=pdf`)).status).toBe(422);
  });
});

describe("atrium export", () => {
  function cli(args: string[], home: string) {
    const out: string[] = [];
    const err: string[] = [];
    return runRemoteCli({
      argv: args,
      env: { ATRIUM_CONFIG_DIR: join(home, "config") },
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stdin: process.stdin,
      isTTY: false,
    }).then((code) => ({ code, out: out.join(""), err: err.join("") }));
  }

  test("writes the folder, refuses a folder with other files, and names a dashboard it cannot see", async () => {
    const home = mkdtempSync(join(tmpdir(), "atrium-export-"));
    writeConfig({ server: s.url, token, machineId: "m1" }, { ATRIUM_CONFIG_DIR: join(home, "config") });
    const out = join(home, "offline");
    const done = await cli(["export", "revenue", "--org", w.org.id, "--project", w.project.id, "--out", out], home);
    expect(done).toMatchObject({ code: 0, err: "" });
    expect(done.out).toContain(join(out, "index.html"));
    expect(readdirSync(out).sort()).toEqual(["data.js", "data.json", "index.html", "viewer.css", "viewer.js"]);
    expect(JSON.parse(readFileSync(join(out, "data.json"), "utf8"))).toMatchObject({ slug: "revenue", title: "Revenue <offline>" });
    // Exporting again over its own files is fine; into a folder with something else is not.
    expect((await cli(["export", "revenue", "--org", w.org.id, "--project", w.project.id, "--out", out], home)).code).toBe(0);
    writeFileSync(join(home, "notes.txt"), "mine");
    const mixed = await cli(["export", "revenue", "--org", w.org.id, "--project", w.project.id, "--out", home], home);
    expect(mixed).toMatchObject({ code: 2 });
    expect(mixed.err).toContain("has other files in it");
    const missing = await cli(["export", "nope", "--org", w.org.id, "--project", w.project.id, "--out", join(home, "x")], home);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('no dashboard "nope"');
    expect(missing.err + done.out).not.toContain(token);
    expect((await cli(["export", "--org", w.org.id], home)).code).toBe(2);
  }, 60_000);
});
