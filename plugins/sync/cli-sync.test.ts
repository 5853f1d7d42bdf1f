/**
 * The `atrium` CLI as a remote client, run as a real process (tsx scripts/atrium.ts) against
 * the real API on a real port: login, SQLite deltas, kill -9 mid-sync, a server that is down
 * and comes back, schema conflicts named by table/column/row, a refused token.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TEST_SECRET } from "../../tests/setup/database";
import { createOrg, createUser } from "../../tests/setup/fixtures";
import { runQuery } from "../data/engine";
import { bootSyncServer, createToken } from "./test-helpers";

let s: Awaited<ReturnType<typeof bootSyncServer>>;
let orgId: string;
let token: string;
let home: string;

beforeAll(async () => {
  s = await bootSyncServer();
  const owner = await createUser(s.kernel);
  orgId = (await createOrg(s.kernel, [{ userId: owner.id, role: "owner" }])).id;
  token = await createToken(s.kernel, owner.id, orgId, ["read", "write"]);
  home = mkdtempSync(join(tmpdir(), "atrium-cli-"));
});

afterAll(async () => {
  rmSync(home, { recursive: true, force: true });
  await s?.close();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], options: { configDir?: string; stdin?: string } = {}): { child: ChildProcess; done: Promise<Run> } {
  // One process (node with tsx's loader), so SIGKILL kills the CLI itself, not a wrapper.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/atrium.ts", ...args], {
    env: { PATH: process.env.PATH, HOME: home, ATRIUM_CONFIG_DIR: options.configDir ?? join(home, "config") },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end(options.stdin ?? "");
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const run = (args: string[], options: { configDir?: string; stdin?: string } = {}) => start(args, options).done;

async function warehouse(sql: string): Promise<unknown[][]> {
  return (await runQuery(s.kernel, s.kernel.ownerDb, orgId, { sourceId: "warehouse", params: [], sql })).rows as unknown[][];
}

// Each run starts tsx (seconds on a busy machine): the tests allow for it.
describe("atrium CLI against a running server", { timeout: 180_000 }, () => {
  test("login stores the token 0600 without printing it; a config readable by others is refused", async () => {
    const out = await run(["login", "--server", s.url, "--token"], { stdin: `${token}\n` });
    expect(out.code).toBe(0);
    expect(out.stdout + out.stderr).not.toContain(token);
    const path = join(home, "config", "config.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8")).token).toBe(token);

    const bad = await run(["login", "--server", s.url, "--token"], { stdin: `atr_${"a".repeat(32)}\n`, configDir: join(home, "other") });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/refused the token/);

    chmodSync(path, 0o644);
    const refused = await run(["status"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/readable by other users.*chmod 600/);
    chmodSync(path, 0o600);
  });

  test("a SQLite table synced, changed, synced again: only the delta travels", async () => {
    const dbPath = join(home, "local.db");
    const db = new Database(dbPath);
    db.exec("create table sessions (id integer primary key, name text, tokens integer, updated_at text)");
    const insert = db.prepare("insert into sessions (id, name, tokens, updated_at) values (?, ?, ?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= 1000; i++) insert.run(i, `s${i}`, i * 10, `2026-11-01 00:00:${String(i % 60).padStart(2, "0")}`);
    })();
    const args = ["sync", "--sqlite", dbPath, "--table", "sessions", "--cursor", "updated_at", "--batch-rows", "300", "--json"];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).datasets[0]).toMatchObject({ dataset: "sessions", rows: 1000, accepted: 1000 });
    expect(await warehouse("select count(*)::int, sum(tokens)::int from sessions")).toEqual([[1000, 5_005_000]]);

    db.prepare("update sessions set tokens = 0, updated_at = '2026-12-01 00:00:00' where id <= 10").run();
    insert.run(1001, "new", 1, "2026-12-01 00:00:01");
    db.close();
    const second = await run(args);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).datasets[0]).toMatchObject({ rows: 11, accepted: 11, duplicates: 0 });
    expect(await warehouse("select count(*)::int, sum(tokens)::int from sessions")).toEqual([[1001, 5_005_000 - 550 + 1]]);

    const dry = await run([...args.filter((a) => a !== "--json"), "--dry-run"]);
    expect(dry.stderr).toContain("would send 0 rows");
    const status = await run(["status"]);
    expect(status.stdout).toMatch(/sessions\t1001 rows/);
    expect(status.stdout + status.stderr).not.toContain(token);
  });

  test("kill -9 mid-sync, rerun: every row exactly once (count and checksum)", async () => {
    const dbPath = join(home, "events.db");
    const db = new Database(dbPath);
    db.exec("create table events (n integer, label text)");
    const insert = db.prepare("insert into events (n, label) values (?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= 5_000; i++) insert.run(i, `event ${i}`);
    })();
    db.close();
    const args = ["sync", "--sqlite", dbPath, "--table", "events", "--batch-rows", "100"];
    const { child, done } = start(args);
    let batches = 0;
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (d: Buffer) => {
        batches += (d.toString().match(/sent 100 rows/g) ?? []).length;
        if (batches >= 1) resolve();
      });
      void done.then(() => resolve());
    });
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const partial = (await warehouse("select count(*)::int from events"))[0]![0] as number;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(5_000);

    const rerun = await run(args);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(
      await warehouse("select count(*)::int, count(distinct n)::int, sum(n)::bigint::text, md5(string_agg(n || ':' || label, ',' order by n)) from events"),
    ).toEqual([[5_000, 5_000, String((5_000 * 5_001) / 2), expectedMd5()]]);
  });

  test("server killed (SIGKILL) mid-batch, restarted: the CLI retries and every row lands exactly once (count and checksum)", async () => {
    const port = await freePort();
    const configDir = join(home, "killed");
    const login = await run(["login", "--server", s.url, "--token"], { stdin: `${token}\n`, configDir });
    expect(login.code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(configDir, "config.json"), "utf8"));
    writeFileSync(join(configDir, "config.json"), JSON.stringify({ ...cfg, server: `http://127.0.0.1:${port}` }), { mode: 0o600 });
    const dbPath = join(home, "big.db");
    const db = new Database(dbPath);
    db.exec("create table readings (n integer, label text)");
    const insert = db.prepare("insert into readings (n, label) values (?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= 20_000; i++) insert.run(i, `reading ${i}`);
    })();
    db.close();

    let server = await startServerProcess(port);
    const { child, done } = start(["sync", "--sqlite", dbPath, "--table", "readings", "--batch-rows", "10000"], { configDir });
    // Wait until a batch is inside its warehouse transaction (its insert is running), then kill the server.
    const warehouseDb = await warehouseName();
    const watcher = new pg.Client({ connectionString: s.kernel.database.url });
    await watcher.connect();
    try {
      for (let i = 0; ; i++) {
        const { rows } = await watcher.query("select count(*)::int as n from pg_stat_activity where datname = $1 and state <> 'idle' and query ilike '%readings%'", [warehouseDb]);
        if (rows[0].n > 0) break;
        if (i > 2000) throw new Error("no batch reached the warehouse");
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await watcher.end();
    }
    server.kill("SIGKILL");
    await new Promise((r) => server.once("exit", r));
    // Nothing of the interrupted batch stays: whole batches only (none, or the first 10,000).
    await waitFor(async () => ((await warehouseRows("readings")) % 10_000 === 0 ? true : null), "a whole number of batches");
    server = await startServerProcess(port);
    try {
      const out = await done;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toMatch(/retrying in/);
      expect(child.exitCode).toBe(0);
      expect(
        await warehouse("select count(*)::int, count(distinct n)::int, sum(n)::bigint::text, md5(string_agg(n || ':' || label, ',' order by n)) from readings"),
      ).toEqual([[20_000, 20_000, String((20_000 * 20_001) / 2), md5Of(20_000, "reading")]]);
    } finally {
      server.kill("SIGKILL");
    }
  });

  test("server down: the CLI backs off and finishes when it returns", async () => {
    const port = await freePort();
    const configDir = join(home, "down");
    const login = await run(["login", "--server", s.url, "--token"], { stdin: `${token}\n`, configDir });
    expect(login.code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(configDir, "config.json"), "utf8"));
    writeFileSync(join(configDir, "config.json"), JSON.stringify({ ...cfg, server: `http://127.0.0.1:${port}` }), { mode: 0o600 });
    const file = join(home, "later.jsonl");
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, at: "2026-12-01" })).join("\n") + "\n");
    const { child, done } = start(["sync", "--file", file], { configDir });
    await new Promise<void>((resolve) => child.stderr!.on("data", (d: Buffer) => /retrying in/.test(d.toString()) && resolve()));
    const back = await s.listen(port);
    try {
      const out = await done;
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toMatch(/unreachable \(ECONNREFUSED\); retrying in/);
      expect(await warehouse("select count(*)::int from later")).toEqual([[50]]);
    } finally {
      back.server.closeAllConnections();
      await new Promise((r) => back.server.close(r));
    }
  });

  test("a schema conflict names the file, the column and the row; nothing of the batch is written", async () => {
    const file = join(home, "metrics.csv");
    writeFileSync(file, "name,value\na,1\nb,2\n");
    expect((await run(["sync", "--file", file])).code).toBe(0);
    writeFileSync(file, "name,value\na,1\nb,2\nc,3\nd,lots\n");
    const out = await run(["sync", "--file", file]);
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('Schema conflict in file metrics.csv → dataset "metrics", column "value", record 5');
    expect(await warehouse("select count(*)::int from metrics")).toEqual([[2]]);
  });
});

function md5Of(count: number, label: string): string {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) parts.push(`${i}:${label} ${i}`);
  return createHash("md5").update(parts.join(",")).digest("hex");
}

/** The API server as a process of its own on `port`, resolved once it listens. */
async function startServerProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "plugins/sync/test-server-process.ts"], {
    env: { PATH: process.env.PATH, DATABASE_URL: s.kernel.database.url, ATRIUM_SECRET: TEST_SECRET, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
    child.once("exit", (code) => reject(new Error(`the server process exited (${code}): ${err}`)));
  });
  return child;
}

async function warehouseName(): Promise<string> {
  const rows = await warehouse("select current_database()");
  return rows[0]![0] as string;
}

async function warehouseRows(table: string): Promise<number> {
  const exists = await warehouse(`select count(*)::int from pg_tables where schemaname = 'public' and tablename = '${table}'`);
  if (exists[0]![0] === 0) return 0;
  return (await warehouse(`select count(*)::int from ${table}`))[0]![0] as number;
}

async function waitFor<T>(check: () => Promise<T | null>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await check();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function expectedMd5(): string {
  const parts: string[] = [];
  for (let i = 1; i <= 5_000; i++) parts.push(`${i}:event ${i}`);
  return createHash("md5").update(parts.join(",")).digest("hex");
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
