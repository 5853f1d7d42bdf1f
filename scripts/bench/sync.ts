/**
 * `npx tsx scripts/bench/sync.ts`: ingestion end to end over HTTP against raw COPY, in one run.
 *
 * Boots a kernel on a fresh embedded PostgreSQL in a temporary directory (or DATABASE_URL's
 * server), serves the API on loopback, makes a local SQLite table of BENCH_SYNC_ROWS rows
 * (default 1,000,000: id, name, tokens, at; a throughput, so the CLI's start of about half a
 * second is a small part of it, as for a table worth syncing) and then measures:
 *   - cli:  `atrium sync --sqlite … --table …` as a process (tsx start included), through
 *           /api/v1/datasets/<name>/rows into the org's warehouse: rows/s;
 *   - copy: the same rows read from the same SQLite file, written as CSV with the same identity
 *           column (`_atrium_key`, SHA-256 of the row) and `COPY … FROM` that file as a superuser
 *           into a copy of the dataset's table (same columns and indexes): rows/s;
 *   - memory: the CLI's peak resident set (VmHWM) for the table and for one 4× as large:
 *           streaming keeps it flat.
 * Prints the ratio cli/copy (goal ≥ 0.8). Flags: --json <file>.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import { loadConfig } from "~/kernel/config";
import { withDatabase } from "~/kernel/db/embedded";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { appRouter, plugins } from "~/plugins";
import { createApiHandler } from "~/server/api";
import { closeDataRuntime } from "../../plugins/data/runtime";
import { dropWarehouse, findWarehouse } from "../../plugins/data/warehouse";
import { configureSync } from "../../plugins/sync/settings";
import { envNumber } from "./util";

const root = path.resolve(import.meta.dirname, "..", "..");

function makeTable(file: string, rows: number): void {
  const db = new Database(file);
  db.exec("create table calls (id integer primary key, name text, tokens integer, at text)");
  const insert = db.prepare("insert into calls (id, name, tokens, at) values (?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) insert.run(i, `tool call ${i % 977}`, (i * 37) % 10_000, `2026-11-${String((i % 28) + 1).padStart(2, "0")}T10:00:00Z`);
  })();
  db.close();
}

/** Runs the CLI; its wall time and its peak resident set (polled from /proc). */
async function runCli(args: string[], configDir: string): Promise<{ ms: number; peakMiB: number; cpuMs: number; stdout: string; stderr: string; code: number | null }> {
  const started = performance.now();
  const nodeArgs = (process.env.BENCH_CLI_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "scripts/atrium.ts", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: configDir, ATRIUM_CONFIG_DIR: configDir },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let peakKiB = 0;
  let cpuTicks = 0;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(args[0] === "login" ? `${process.env.BENCH_TOKEN}\n` : "");
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      // utime and stime, in clock ticks (fields 14 and 15; the name in parentheses may hold spaces).
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      /* exited */
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(poll);
  // The last reading before exit (polled every 20 ms), at 100 ticks a second.
  return { ms: performance.now() - started, peakMiB: peakKiB / 1024, cpuMs: cpuTicks * 10, stdout, stderr, code };
}

async function copyBaseline(adminUrl: string, file: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "atrium-bench-copy" });
  await client.connect();
  try {
    await client.query(`drop table if exists copy_baseline; create table copy_baseline (like public.${table} including all)`);
    const columns = (await client.query<{ column_name: string }>("select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position", [table])).rows.map((r) => r.column_name);
    const started = performance.now();
    const csv = path.join(path.dirname(file), "copy.csv");
    const out = createWriteStream(csv);
    const db = new Database(file, { readonly: true });
    const now = new Date().toISOString();
    for (const row of db.prepare("select id, name, tokens, at from calls").iterate() as Iterable<Record<string, unknown>>) {
      const values = columns.map((c) => (c === "_atrium_key" ? createHash("sha256").update(JSON.stringify([row.id, row.name, row.tokens, row.at])).digest("hex") : c === "_atrium_synced_at" ? now : row[c]));
      if (!out.write(values.map((v) => (v === null || v === undefined ? "" : `"${String(v).replace(/"/g, '""')}"`)).join(",") + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    db.close();
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await client.query(`copy copy_baseline (${columns.map((c) => `"${c}"`).join(", ")}) from '${csv}' with (format csv)`);
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

async function main() {
  const { values } = parseArgs({ options: { json: { type: "string" } } });
  const rows = envNumber("BENCH_SYNC_ROWS", 1_000_000, { integer: true });
  const work = mkdtempSync(path.join(tmpdir(), "atrium-bench-sync-"));
  const dataDir = process.env.DATABASE_URL ? null : path.join(work, "pg");
  const config = loadConfig({
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-sync-plugin-0123456789",
  });
  let kernel: Kernel | undefined;
  let orgId: string | undefined;
  let server: http.Server | undefined;
  try {
    kernel = await bootKernel({ config, plugins, workJobs: false, log: createLogger("silent") });
    configureSync(kernel, { rowsPerMinute: 100_000_000 });
    const user = await kernel.ownerDb.insertInto("users").values({ email: `bench-${Date.now()}@sync.test`, name: "Bench" }).returning("id").executeTakeFirstOrThrow();
    orgId = (await kernel.ownerDb.insertInto("orgs").values({ slug: `bench-${Date.now().toString(36)}`, name: "Bench" }).returning("id").executeTakeFirstOrThrow()).id;
    await kernel.ownerDb.insertInto("memberships").values({ org_id: orgId, user_id: user.id, role: "owner" }).execute();
    const token = generateApiToken();
    await kernel.ownerDb.insertInto("api_tokens").values({ user_id: user.id, org_id: orgId, name: "bench", token_hash: hashApiToken(token), scopes: ["read", "write"] }).execute();
    process.env.BENCH_TOKEN = token;

    const booted = kernel;
    const handler = createApiHandler({ kernel: async () => booted, router: appRouter, plugins });
    server = http.createServer((req, res) => void handler(req, res).then((served) => !served && res.writeHead(404).end()));
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const configDir = path.join(work, "config");
    const login = await runCli(["login", "--server", url, "--token"], configDir);
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);

    const small = path.join(work, "small.db");
    const large = path.join(work, "large.db");
    makeTable(small, rows);
    makeTable(large, rows * 4);

    console.log(`Scenario sync-ingest: ${rows} rows, CLI → /api/v1 → warehouse vs raw COPY (same rows, same table shape)`);
    const serverCpu = process.cpuUsage();
    const cli = await runCli(["sync", "--sqlite", small, "--table", "calls", "--key", "id", "--json"], configDir);
    const serverCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(serverCpu));
    if (cli.code !== 0) throw new Error(`sync failed: ${cli.stderr}`);
    const info = (await findWarehouse(kernel, kernel.ownerDb, orgId))!;
    const adminUrl = withDatabase(kernel.database.url, info.database);
    const copyMs = await copyBaseline(adminUrl, small, "calls");
    const cliRate = rows / (cli.ms / 1000);
    const copyRate = rows / (copyMs / 1000);
    console.log(`  cli:  ${(cli.ms / 1000).toFixed(2)} s, ${Math.round(cliRate)} rows/s (process start included); CPU: the CLI ${(cli.cpuMs / 1000).toFixed(2)} s, the server ${(serverCpuMs / 1000).toFixed(2)} s`);
    console.log(`  copy: ${(copyMs / 1000).toFixed(2)} s, ${Math.round(copyRate)} rows/s`);
    console.log(`  ratio cli/copy: ${(cliRate / copyRate).toFixed(2)} (goal ≥ 0.80)`);

    const big = await runCli(["sync", "--sqlite", large, "--table", "calls", "--key", "id", "--json"], path.join(work, "config"));
    if (big.code !== 0) throw new Error(`sync failed: ${big.stderr}`);
    console.log(`  memory: CLI peak RSS ${cli.peakMiB.toFixed(0)} MiB for ${rows} rows, ${big.peakMiB.toFixed(0)} MiB for ${rows * 4} rows (${(big.peakMiB / cli.peakMiB).toFixed(2)}×)`);
    if (values.json) {
      writeFileSync(values.json, JSON.stringify({ rows, cliMs: cli.ms, copyMs, cliRowsPerSecond: cliRate, copyRowsPerSecond: copyRate, ratio: cliRate / copyRate, peakMiB: { [rows]: cli.peakMiB, [rows * 4]: big.peakMiB } }, null, 2));
    }
  } finally {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    if (kernel) {
      if (orgId) await dropWarehouse(kernel, orgId).catch(() => {});
      await closeDataRuntime(kernel);
      await kernel.stop();
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
