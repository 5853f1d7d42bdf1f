/**
 * Live fan-out: one save reaching every open page of a dashboard, across two app instances.
 *
 *   npx tsx scripts/bench/collab.ts
 *   npm run bench -- --scenario collab-fanout
 *
 * Starts the BUILT server twice on one database (the first on a fresh embedded PostgreSQL, the
 * second on the first's database with the same secret), seeds an org with BENCH_COLLAB_PEOPLE
 * members (default 20) and one dashboard, and opens BENCH_COLLAB_SUBSCRIBERS (default 200) real
 * HTTP SSE streams of `collaboration.live.dashboard`, half on each instance (each person has
 * several tabs open, as people do; every stream is present and beating). Then:
 *
 *   - memory per open subscription: the two server processes' resident memory (VmRSS) after all
 *     streams answered, minus before they opened, divided by the streams;
 *   - fan-out, BENCH_COLLAB_ROUNDS times (default 5): the owner saves a new version through
 *     instance 1 (`dashboards.update` over HTTP); the time from sending the save until each
 *     stream has its "saved" event. p50, p95 and max over every stream of every round, and the
 *     mean of each round's last arrival (when everyone has it);
 *   - baseline, in the same run, the same way: two bare node:http SSE servers in this process,
 *     each with one `pg` LISTEN connection, the same number of streams split between them; a
 *     `pg_notify` from a third connection, timed until each stream has it. That is the least any
 *     cross-instance fan-out over LISTEN/NOTIFY and SSE can cost; the ratios say what Atrium adds
 *     (authorization, the save itself, the event bus, the per-stream filter and name lookup).
 *
 * Environment: BENCH_COLLAB_SUBSCRIBERS, BENCH_COLLAB_PEOPLE, BENCH_COLLAB_ROUNDS, BENCH_VERBOSE=1.
 * Flags (alone): --json <file>.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { generateSessionToken, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { trpcPost } from "./api";
import { startAtrium, type AtriumServer } from "./atrium";
import { databaseUrlOf } from "./references";
import { envNumber, percentileOf, runWhenMain, sleep } from "./util";

export const COLLAB_BENCH_ID = "collab-fanout";
const root = path.resolve(import.meta.dirname, "..", "..");

const yamlOf = (round: number) => `title: Fan-out board
charts:
  - id: notes
    type: text
    markdown: Round ${round}
`;

interface Stat {
  n: number;
  p50: number;
  p95: number;
  max: number;
  /** Mean over rounds of the last arrival: when every stream had it. */
  everyone: number;
}

export interface CollabBenchResult {
  subscribers: number;
  people: number;
  rounds: number;
  atrium: Stat;
  baseline: Stat;
  ratios: { p50: number; p95: number; everyone: number };
  memory: { rssDeltaMiB: number; perSubscriptionKiB: number; perInstanceKiB: number[] };
  openMs: number;
}

function statOf(rounds: number[][]): Stat {
  const all = rounds.flat();
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: all.length, p50: r(percentileOf(all, 50)), p95: r(percentileOf(all, 95)), max: r(Math.max(...all)), everyone: r(rounds.reduce((s, xs) => s + Math.max(...xs), 0) / rounds.length) };
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/**
 * One SSE stream read with fetch: calls `onEvent` with each `data:` payload as it arrives.
 * Resolves once the response headers are in; `abort` ends it.
 */
async function openStream(url: string, headers: Record<string, string>, signal: AbortSignal, onEvent: (data: string) => void): Promise<void> {
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal });
  if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trimStart())
            .join("\n");
          if (data) onEvent(data);
        }
      }
    } catch {
      // aborted
    }
  })();
}

/** Waits until `done()` holds, or fails after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

async function seed(db: pg.Client, people: number) {
  const org = (await db.query<{ id: string }>("insert into orgs (slug, name) values ('fanout-' || floor(random() * 1e9)::text, 'Fan-out') returning id")).rows[0]!.id;
  const project = (await db.query<{ id: string }>("insert into projects (org_id, slug, name) values ($1, 'main', 'Main') returning id", [org])).rows[0]!.id;
  const cookies: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < people; i++) {
    const token = generateSessionToken();
    const user = (await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id", [`fanout-${org.slice(0, 8)}-${i}@example.test`, `Person ${i}`])).rows[0]!.id;
    await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, $3)", [org, user, i === 0 ? "owner" : "viewer"]);
    await db.query("insert into sessions (id, user_id, expires_at) values ($1, $2, now() + interval '1 day')", [sessionIdOf(token), user]);
    cookies.push(`${SESSION_COOKIE}=${token}`);
    ids.push(user);
  }
  const yaml = yamlOf(0);
  const dashboard = (
    await db.query<{ id: string }>(
      "insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by) values ($1, $2, 'board', 'Fan-out board', $3, 1, $4, $4) returning id",
      [org, project, yaml, ids[0]],
    )
  ).rows[0]!.id;
  await db.query("insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id) values ($1, $2, 1, $3, $4)", [org, dashboard, yaml, ids[0]]);
  return { org, project, cookies };
}

/** Atrium: open the streams, measure memory, then time each save's fan-out. */
async function measureAtrium(servers: AtriumServer[], db: pg.Client, subscribers: number, people: number, rounds: number) {
  const { org, project, cookies } = await seed(db, people);
  const input = encodeURIComponent(JSON.stringify({ orgId: org, projectId: project, slug: "board", editing: false }));
  const controller = new AbortController();
  const firstSeen = new Array<boolean>(subscribers).fill(false);
  const savedAt: Array<Map<number, number>> = Array.from({ length: subscribers }, () => new Map());
  // Let both servers settle (jobs, pools) before reading their memory.
  await sleep(2000);
  const before = servers.map((s) => rssKiB(s.pid));
  const t0 = performance.now();
  for (let i = 0; i < subscribers; i++) {
    const server = servers[i % servers.length]!;
    await openStream(`${server.url}/api/trpc/collaboration.live.dashboard?input=${input}`, { cookie: cookies[i % cookies.length]! }, controller.signal, (data) => {
      if (data.includes('"kind":"present"')) firstSeen[i] = true;
      const saved = /"kind":"saved","version":(\d+)/.exec(data);
      if (saved) savedAt[i]!.set(Number(saved[1]), performance.now());
    });
  }
  await until(() => firstSeen.every(Boolean), 60_000, "every stream's first answer");
  const openMs = performance.now() - t0;
  await sleep(1000);
  const after = servers.map((s) => rssKiB(s.pid));
  const perInstanceKiB = after.map((a, i) => Math.round((a - before[i]!) / (subscribers / servers.length)));
  const deltaKiB = after.reduce((s, a, i) => s + a - before[i]!, 0);

  const results: number[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const version = round + 1;
    const sent = performance.now();
    await trpcPost(servers[0]!.url, "dashboards.update", { orgId: org, projectId: project, slug: "board", version: round, yaml: yamlOf(round) }, cookies[0]);
    await until(() => savedAt.every((m) => m.has(version)), 30_000, `every stream's event for version ${version}`);
    results.push(savedAt.map((m) => m.get(version)! - sent));
    await sleep(200);
  }
  controller.abort();
  return {
    stat: statOf(results),
    openMs: Math.round(openMs),
    memory: { rssDeltaMiB: Math.round((deltaKiB / 1024) * 10) / 10, perSubscriptionKiB: Math.round(deltaKiB / subscribers), perInstanceKiB },
  };
}

/** Baseline: two bare node:http SSE servers, each with one LISTEN connection, the same streams. */
async function measureBaseline(databaseUrl: string, subscribers: number, rounds: number): Promise<Stat> {
  const instances: Array<{ server: http.Server; listener: pg.Client; url: string }> = [];
  for (let n = 0; n < 2; n++) {
    const clients = new Set<http.ServerResponse>();
    const listener = new pg.Client({ connectionString: databaseUrl, application_name: "atrium-bench-listen" });
    await listener.connect();
    await listener.query("listen bench_fanout");
    listener.on("notification", (msg) => {
      for (const res of clients) res.write(`data: ${msg.payload}\n\n`);
    });
    const server = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write('data: {"kind":"hello"}\n\n');
      clients.add(res);
      req.on("close", () => clients.delete(res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    instances.push({ server, listener, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  }
  const notifier = new pg.Client({ connectionString: databaseUrl, application_name: "atrium-bench-notify" });
  await notifier.connect();
  const controller = new AbortController();
  const hello = new Array<boolean>(subscribers).fill(false);
  const got: Array<Map<number, number>> = Array.from({ length: subscribers }, () => new Map());
  try {
    for (let i = 0; i < subscribers; i++) {
      await openStream(instances[i % 2]!.url, {}, controller.signal, (data) => {
        if (data.includes("hello")) hello[i] = true;
        const saved = /"version":(\d+)/.exec(data);
        if (saved) got[i]!.set(Number(saved[1]), performance.now());
      });
    }
    await until(() => hello.every(Boolean), 30_000, "every baseline stream");
    const results: number[][] = [];
    for (let round = 1; round <= rounds; round++) {
      const version = round + 1;
      const sent = performance.now();
      await notifier.query("select pg_notify('bench_fanout', $1)", [JSON.stringify({ kind: "saved", version })]);
      await until(() => got.every((m) => m.has(version)), 30_000, `every baseline stream's version ${version}`);
      results.push(got.map((m) => m.get(version)! - sent));
      await sleep(200);
    }
    return statOf(results);
  } finally {
    controller.abort();
    await notifier.end();
    for (const i of instances) {
      await i.listener.end();
      i.server.closeAllConnections();
      await new Promise<void>((resolve) => i.server.close(() => resolve()));
    }
  }
}

export async function runCollabBench(): Promise<CollabBenchResult> {
  const subscribers = envNumber("BENCH_COLLAB_SUBSCRIBERS", 200, { integer: true });
  const people = Math.min(subscribers, envNumber("BENCH_COLLAB_PEOPLE", 20, { integer: true }));
  const rounds = envNumber("BENCH_COLLAB_ROUNDS", 5, { integer: true });
  const verbose = process.env.BENCH_VERBOSE === "1";
  const first = await startAtrium({ root, verbose });
  let second: AtriumServer | undefined;
  const saved = { url: process.env.DATABASE_URL, secret: process.env.ATRIUM_SECRET };
  const db = new pg.Client({ connectionString: databaseUrlOf(first.dataDir), application_name: "atrium-bench-seed" });
  try {
    const databaseUrl = databaseUrlOf(first.dataDir);
    process.env.DATABASE_URL = databaseUrl;
    process.env.ATRIUM_SECRET = saved.secret ?? readFileSync(path.join(first.dataDir, "secret"), "utf8").trim();
    second = await startAtrium({ root, verbose });
    process.env.DATABASE_URL = saved.url;
    process.env.ATRIUM_SECRET = saved.secret;
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    if (saved.secret === undefined) delete process.env.ATRIUM_SECRET;
    await db.connect();
    // The baseline first, on quiet servers, then Atrium.
    const baseline = await measureBaseline(databaseUrl, subscribers, rounds);
    const atrium = await measureAtrium([first, second], db, subscribers, people, rounds);
    const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 0.1)) * 10) / 10;
    const result: CollabBenchResult = {
      subscribers,
      people,
      rounds,
      atrium: atrium.stat,
      baseline,
      ratios: { p50: ratio(atrium.stat.p50, baseline.p50), p95: ratio(atrium.stat.p95, baseline.p95), everyone: ratio(atrium.stat.everyone, baseline.everyone) },
      memory: atrium.memory,
      openMs: atrium.openMs,
    };
    console.log(formatCollabBench(result));
    return result;
  } finally {
    await db.end().catch(() => {});
    await second?.stop();
    await first.stop();
  }
}

export function formatCollabBench(r: CollabBenchResult): string {
  const row = (label: string, s: Stat) => `  ${label.padEnd(44)} p50 ${String(s.p50).padStart(7)} ms  p95 ${String(s.p95).padStart(7)} ms  max ${String(s.max).padStart(7)} ms  everyone ${String(s.everyone).padStart(7)} ms`;
  return [
    `collab-fanout: ${r.subscribers} SSE streams on one dashboard (${r.people} people), two instances, ${r.rounds} saves`,
    row("Atrium: save on instance 1 → each stream", r.atrium),
    row("baseline: pg_notify → bare node:http SSE", r.baseline),
    `  ratio Atrium ÷ baseline: p50 ${r.ratios.p50}×, p95 ${r.ratios.p95}×, everyone ${r.ratios.everyone}×`,
    `  memory: ${r.memory.rssDeltaMiB} MiB RSS for ${r.subscribers} open streams = ${r.memory.perSubscriptionKiB} KiB per stream (per instance: ${r.memory.perInstanceKiB.join(", ")} KiB)`,
    `  opening all streams (each answered once): ${r.openMs} ms`,
  ].join("\n");
}

runWhenMain(import.meta.url, runCollabBench);
