/**
 * `atrium dashboards pull|push` run as a real process (tsx scripts/atrium.ts) against the real
 * API on a real port with a personal access token: pull writes each dashboard as a file in its
 * format (boards as dbt Charts YAML), push saves what changed, and a stale push is refused with
 * 409 naming the file.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootSyncServer, createToken } from "../sync/test-helpers";
import { simpleYaml, workspace } from "./test-helpers";

let s: Awaited<ReturnType<typeof bootSyncServer>>;
let w: Awaited<ReturnType<typeof workspace>>;
let token: string;
let home: string;

const board = (title: string) => `# A board kept in git\ntitle: ${title}\nqueries:\n  totals: SELECT 1 AS n\ncharts:\n  total:\n    type: kpi\n    query: totals\n    value: n\n    label: Total\nrows:\n  - total\n`;

beforeAll(async () => {
  s = await bootSyncServer();
  w = await workspace(s.kernel);
  token = await createToken(s.kernel, w.user.id, w.org.id, ["read", "write"]);
  home = mkdtempSync(join(tmpdir(), "atrium-cli-dash-"));
  await w.caller.dashboards.create({ ...w.at, slug: "sales", yaml: simpleYaml("Sales") });
  await w.caller.dashboards.create({ ...w.at, slug: "ops", yaml: board("Ops"), format: "dbt-charts" });
});
afterAll(async () => {
  rmSync(home, { recursive: true, force: true });
  await s?.close();
});

function run(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/atrium.ts", ...args], {
    env: { PATH: process.env.PATH, HOME: home, ATRIUM_CONFIG_DIR: join(home, "config") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("atrium dashboards pull|push", { timeout: 180_000 }, () => {
  test("pull writes each dashboard in its format; push saves changed files and refuses a stale one with 409 naming the file", async () => {
    expect((await run(["login", "--server", s.url, "--token"], `${token}\n`)).code).toBe(0);
    const dir = join(home, "dashboards");
    const pulled = await run(["dashboards", "pull", "--org", w.org.id, "--project", w.project.id, "--dir", dir]);
    expect(pulled.stderr).toBe("");
    expect(pulled.code).toBe(0);
    expect(readFileSync(join(dir, "sales.yaml"), "utf8")).toBe(simpleYaml("Sales"));
    // The board comes back as dbt Charts YAML, exactly as stored (its comment included).
    expect(readFileSync(join(dir, "ops.yml"), "utf8")).toBe(board("Ops"));

    // Someone saves "sales" in the app after the pull; the local edits to both files follow.
    const current = await w.caller.dashboards.get({ ...w.at, slug: "sales" });
    await w.caller.dashboards.update({ ...w.at, slug: "sales", yaml: simpleYaml("Sales, edited in the app"), version: current.version });
    writeFileSync(join(dir, "sales.yaml"), simpleYaml("Sales, edited locally"));
    writeFileSync(join(dir, "ops.yml"), board("Ops, edited locally"));
    writeFileSync(join(dir, "fresh.yml"), board("Fresh board"));

    const pushed = await run(["dashboards", "push", "--dir", dir, "--message", "Local edits"]);
    expect(pushed.code).toBe(6);
    expect(pushed.stderr).toMatch(/^sales\.yaml: 409 conflict/m);
    expect(pushed.stdout).toMatch(/^ops\.yml\tsaved as version 2$/m);
    expect(pushed.stdout).toMatch(/^fresh\.yml\tsaved as version 1$/m);
    expect(pushed.stdout + pushed.stderr).not.toContain(token);

    const ops = await w.caller.dashboards.get({ ...w.at, slug: "ops" });
    expect(ops).toMatchObject({ format: "dbt-charts", version: 2, yaml: board("Ops, edited locally") });
    expect(await w.caller.dashboards.get({ ...w.at, slug: "fresh" })).toMatchObject({ format: "dbt-charts", title: "Fresh board" });
    // The stale file changed nothing: the app's edit stands.
    expect((await w.caller.dashboards.get({ ...w.at, slug: "sales" })).title).toBe("Sales, edited in the app");

    // Pushing again sends only what is still unsaved.
    const again = await run(["dashboards", "push", "--dir", dir]);
    expect(again.code).toBe(6);
    expect(again.stdout).not.toMatch(/ops\.yml|fresh\.yml/);
  });
});
