/**
 * Cost that does not grow with data: the same list and search calls on an org with 100
 * dashboards and on one with 100,000 (in one project, beside 10,000 members), in process.
 *
 *   npx tsx scripts/bench/scale.ts
 *   npm run bench -- --scenario scale
 *
 * Boots a kernel on a fresh embedded PostgreSQL in a temporary directory (or DATABASE_URL's
 * server), seeds both orgs with plain SQL (generate_series), analyzes, then times each call
 * through the tRPC caller (authorization, the scoped transaction, the query) BENCH_SCALE_CALLS
 * times per org (default 200), alternating the orgs call by call, and prints p50 for each and
 * the ratio large ÷ small beside the goal (≤ 1.2×).
 *
 * Calls: the first page of `dashboards.list`; a page 500 rows deep (following cursors there
 * first, not timed); `dashboards.list` with a search, and of the project's ten deleted ones; the org-wide `dashboards.search` for a
 * word five dashboards carry in either org; `dashboards.recent`; the first page of `orgs.members.list`
 * and a search for a name a handful of members carry (101 members vs 10,001), and the same two
 * as who has access to a dashboard (`sharing.access`); the audit log
 * (100 vs 100,000 agent calls, with a person's saves among them: 100 and 1,000) a page
 * at a time, 500 events deep, filtered to people's events and to an action prefix, and the
 * activity feed read from it; the owner's notifications (300 vs 100,000, half unread, so
 * both bells count to their cap of 100): the bell's count, the first page and 500 deep; one dashboard's history (100 vs 100,000 versions), its first page
 * and 500 versions deep; the org's projects (100 vs 1,000, the most an org holds): the first page, 500 deep, and a
 * search for a name a handful carry.
 *
 * Environment: BENCH_SCALE_CALLS (default 200), BENCH_SCALE_DASHBOARDS (default 100000),
 * BENCH_SCALE_MEMBERS (default 10000), BENCH_SCALE_ONLY (only the calls whose label holds this
 * text), DATABASE_URL. Flags (alone): --json <file>.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { MAX_PROJECTS_PER_ORG } from "~/kernel/tenancy/service";
import { createCallerFactory } from "~/kernel/trpc";
import { appRouter, plugins } from "~/plugins";
import { UNREAD_COUNT_MAX } from "../../plugins/collaboration/notifications";
import { envNumber, percentileOf, runWhenMain } from "./util";

export const SCALE_BENCH_ID = "scale";
export const SCALE_RATIO_GOAL = 1.2;
/** Dashboards whose title carries the searched word, in either org. */
const SEARCH_MATCHES = 5;

const percentile = percentileOf;

export interface ScaleRow {
  call: string;
  small: { p50: number; p95: number };
  large: { p50: number; p95: number };
  ratio: number;
  met: boolean;
}

export interface ScaleBenchResult {
  dashboards: { small: number; large: number };
  members: number;
  calls: number;
  rows: ScaleRow[];
}

/**
 * Seeds an org with an owner, `members` more members, one project and `count` dashboards (a few
 * carrying the word "quasar"), and `projects` more projects (every 100th a Quasar by name).
 */
export async function seed(k: Kernel, tag: string, count: number, members: number, projects: number) {
  const db = k.ownerDb;
  const mentions = Math.max(count, 3 * UNREAD_COUNT_MAX);
  const owner = await db.insertInto("users").values({ email: `scale-${tag}@example.test`, name: `Scale ${tag}` }).returning("id").executeTakeFirstOrThrow();
  const org = await db.insertInto("orgs").values({ slug: `scale-${tag}`, name: `Scale ${tag}` }).returning("id").executeTakeFirstOrThrow();
  await db.insertInto("memberships").values({ org_id: org.id, user_id: owner.id, role: "owner" }).execute();
  const project = await db.insertInto("projects").values({ org_id: org.id, slug: "main", name: "Main" }).returning("id").executeTakeFirstOrThrow();
  await sql`insert into projects (org_id, slug, name)
    select ${org.id}::uuid, 'p-' || i, case when i % 100 = 7 then 'Quasar ' || i else 'Project ' || lpad(i::text, 4, '0') end from generate_series(1, ${projects}::int) i`.execute(db);
  if (members) {
    // Every 1,000th member (and the 7th) is a Quasar by name: a search that finds a handful.
    await sql`insert into users (email, name) select 'scale-' || ${tag} || '-m' || i || '@example.test', case when i % 1000 = 7 then 'Quasar member ' || i else 'Member ' || i end from generate_series(1, ${members}::int) i`.execute(db);
    await sql`insert into memberships (org_id, user_id, role) select ${org.id}::uuid, id, 'viewer' from users where email like ${`scale-${tag}-m%`}`.execute(db);
  }
  // Five dashboards carry "quasar" in their title, in either org, spread from the newest to the
  // oldest: a search that finds the same handful among 100 or among 100,000 (what is timed is
  // the cost of the dashboards it does not find, not of answering with more).
  await sql`insert into dashboards_dashboards (org_id, project_id, slug, title, description, tags, yaml, version, created_by, updated_by, updated_at)
    select ${org.id}::uuid, ${project.id}::uuid, 'd-' || i,
      case when i % greatest(${count}::int / ${SEARCH_MATCHES}::int, 8) = 7 then 'Quasar revenue ' || i else 'Revenue by region ' || i end,
      'Weekly figures for team ' || (i % 97), array['finance', 'team-' || (i % 50)], 'title: x', 1, ${owner.id}::uuid, ${owner.id}::uuid,
      now() - make_interval(secs => i)
    from generate_series(1, ${count}::int) i`.execute(db);
  // The audit log as agents fill it: `count` read-only tool calls, a second apart, and among
  // them, in time and in id order, saves by the owner (what the activity feed and the audit log's
  // filters look for): one for every 100th dashboard in a large org, one for each in a small one,
  // so both fill a page and the large log is also the sparser one.
  const saveEvery = Math.max(1, Math.min(100, Math.floor(count / 100)));
  await sql`insert into audit_events (org_id, actor_kind, actor_user_id, actor_label, action, target_type, target_id, data, created_at)
    select org_id, actor_kind, actor_user_id, actor_label, action, target_type, target_id, data, at from (
      select ${org.id}::uuid as org_id, 'agent' as actor_kind, ${owner.id}::uuid as actor_user_id, 'scale agent' as actor_label, 'agent.tool.call' as action,
        'tool' as target_type, 'get_dashboard' as target_id, jsonb_build_object('tool', 'get_dashboard', 'ok', true, 'ms', 1, 'arguments', jsonb_build_object('slug', 'd-' || i)) as data,
        now() - make_interval(secs => ${count}::int - i) as at
      from generate_series(1, ${count}::int) i
      union all
      select ${org.id}::uuid, 'user', ${owner.id}::uuid, null, 'dashboards.update', 'dashboard', d.id::text,
        jsonb_build_object('projectId', d.project_id, 'slug', d.slug, 'version', 2), now() - make_interval(secs => ${count}::int - n) + interval '1 millisecond'
      from dashboards_dashboards d cross join lateral (select substring(d.slug from 3)::int as n) s
      where d.org_id = ${org.id}::uuid and n % ${saveEvery}::int = 7 % ${saveEvery}::int
    ) e order by at`.execute(db);
  // Ten deleted dashboards, restorable from the project's "Deleted" list.
  await sql`insert into dashboards_dashboards (org_id, project_id, slug, title, yaml, version, created_by, updated_by, deleted_at)
    select ${org.id}::uuid, ${project.id}::uuid, 'gone-' || i, 'Retired ' || i, 'title: x', 1, ${owner.id}::uuid, ${owner.id}::uuid, now() - make_interval(mins => i)
    from generate_series(1, 10) i`.execute(db);
  // One dashboard saved `count` times (agents and git sync save often): its history.
  await sql`insert into dashboards_versions (org_id, dashboard_id, version, yaml, author_id, message, created_at)
    select ${org.id}::uuid, d.id, v, 'title: x', ${owner.id}::uuid, 'Save ' || v, now() - make_interval(secs => ${count}::int - v)
    from dashboards_dashboards d cross join generate_series(1, ${count}::int) v
    where d.org_id = ${org.id}::uuid and d.slug = 'd-1'`.execute(db);
  await sql`update dashboards_dashboards set version = ${count}::int where org_id = ${org.id}::uuid and slug = 'd-1'`.execute(db);
  // The owner's notifications: `count` mentions across the dashboards (at least 300), a minute
  // apart, the older half read (one thread on each of the first 100 dashboards, one comment in
  // each). At least 150 unread in either org: the bell counts up to 100, so both count as many.
  await sql`with t as (
      insert into collaboration_threads (org_id, project_id, dashboard_id, created_by)
      select org_id, project_id, id, ${owner.id}::uuid from dashboards_dashboards where org_id = ${org.id}::uuid and slug ~ '^d-[0-9]+$' and substring(slug from 3)::int <= 100
      returning id, dashboard_id),
    c as (insert into collaboration_comments (org_id, thread_id, author_id, body, dashboard_version) select ${org.id}::uuid, id, ${owner.id}::uuid, 'Have a look @Scale', 1 from t returning id, thread_id),
    a as (select array_agg(t.id order by t.id) as threads, array_agg(t.dashboard_id order by t.id) as dashboards, array_agg(c.id order by t.id) as comments from t join c on c.thread_id = t.id)
    insert into collaboration_notifications (org_id, user_id, kind, project_id, dashboard_id, thread_id, comment_id, actor_id, created_at, read_at)
    select ${org.id}::uuid, ${owner.id}::uuid, 'mention', ${project.id}::uuid, a.dashboards[1 + i % 100], a.threads[1 + i % 100], a.comments[1 + i % 100], ${owner.id}::uuid,
      now() - make_interval(mins => i), case when i > ${mentions}::int / 2 then now() end
    from a, generate_series(1, ${mentions}::int) i`.execute(db);
  const caller = createCallerFactory(appRouter)({ kernel: k, actor: { kind: "user", userId: owner.id, sessionId: null }, db: k.db, requestId: "bench-scale", ip: null, resHeaders: null });
  return { orgId: org.id, projectId: project.id, caller };
}

type Seeded = Awaited<ReturnType<typeof seed>>;

export async function runScaleBench(): Promise<ScaleBenchResult> {
  const calls = envNumber("BENCH_SCALE_CALLS", 200, { integer: true });
  const large = envNumber("BENCH_SCALE_DASHBOARDS", 100_000, { integer: true });
  const members = envNumber("BENCH_SCALE_MEMBERS", 10_000, { integer: true, allowZero: true });
  const small = 100;
  const dataDir = process.env.DATABASE_URL ? null : mkdtempSync(path.join(tmpdir(), "atrium-bench-scale-"));
  const env = {
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { ATRIUM_DATA_DIR: dataDir! }),
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    ATRIUM_SECRET: "bench-secret-for-the-scale-figures-0123456789",
  };
  let kernel: Kernel | undefined;
  try {
    kernel = await bootKernel({ config: loadConfig(env), plugins, workJobs: false, log: createLogger("silent") });
    const stamp = Date.now().toString(36);
    console.log(`\nScale: seeding ${small} and ${large.toLocaleString("en-US")} dashboards (and ${members.toLocaleString("en-US")} members)…`);
    const seededAt = performance.now();
    // The small org has 100 members (a full first page), the large one `members`.
    // Projects: 100 beside 999 (with "main", the most an org holds: MAX_PROJECTS_PER_ORG).
    const orgs = { small: await seed(kernel, `${stamp}-s`, small, 100, 99), large: await seed(kernel, `${stamp}-l`, large, members, MAX_PROJECTS_PER_ORG - 1) };
    await sql`analyze`.execute(kernel.ownerDb);
    console.log(`  seeded in ${((performance.now() - seededAt) / 1000).toFixed(1)} s`);

    // The cursor of the page 500 rows deep, found by following pages (not timed).
    const deepCursor = async (o: Seeded): Promise<string | undefined> => {
      let cursor: string | undefined;
      for (let rows = 0; rows < 500; rows += 100) {
        const page = await o.caller.dashboards.list({ orgId: o.orgId, projectId: o.projectId, limit: 100, ...(cursor ? { cursor } : {}) });
        cursor = page.nextCursor ?? undefined;
      }
      return cursor;
    };
    const deep = { small: await deepCursor(orgs.small), large: await deepCursor(orgs.large) };
    // The audit log's page 500 events deep (the small org's log is shorter: its first page, the same work).
    const deepAuditOf = async (o: Seeded): Promise<number | undefined> => {
      let before: number | undefined;
      for (let events = 0; events < 500; events += 50) before = (await o.caller.audit.list({ orgId: o.orgId, ...(before ? { before } : {}) })).nextBefore ?? undefined;
      return before;
    };
    const deepAudit = { small: await deepAuditOf(orgs.small), large: await deepAuditOf(orgs.large) };
    // The history's page 500 versions deep (the small org's dashboard has 100: its first page).
    const deepHistoryOf = async (o: Seeded): Promise<string | undefined> => {
      let cursor: string | undefined;
      for (let versions = 0; versions < 500 && (versions === 0 || cursor); versions += 50) {
        cursor = (await o.caller.dashboards.history({ orgId: o.orgId, projectId: o.projectId, slug: "d-1", ...(cursor ? { cursor } : {}) })).nextCursor ?? undefined;
      }
      return cursor;
    };
    const deepHistory = { small: await deepHistoryOf(orgs.small), large: await deepHistoryOf(orgs.large) };
    // The notifications' page 500 deep (the small org has 100: its first page).
    const deepNotesOf = async (o: Seeded): Promise<string | undefined> => {
      let cursor: string | undefined;
      for (let seen = 0; seen < 500 && (seen === 0 || cursor); seen += 100) {
        cursor = (await o.caller.collaboration.notifications.list({ orgId: o.orgId, limit: 100, ...(cursor ? { cursor } : {}) })).nextCursor ?? undefined;
      }
      return cursor;
    };
    const deepNotes = { small: await deepNotesOf(orgs.small), large: await deepNotesOf(orgs.large) };
    // The project list's page 500 deep (the small org has 100 projects: its first page, the same work).
    const deepProjectsOf = async (o: Seeded): Promise<string | undefined> => {
      let cursor: string | undefined;
      for (let seen = 0; seen < 500 && (seen === 0 || cursor); seen += 100) {
        cursor = (await o.caller.projects.list({ orgId: o.orgId, limit: 100, ...(cursor ? { cursor } : {}) })).nextCursor ?? undefined;
      }
      return cursor;
    };
    const deepProjects = { small: await deepProjectsOf(orgs.small), large: await deepProjectsOf(orgs.large) };
    const cases: Array<{ call: string; run: (o: Seeded, which: "small" | "large") => Promise<unknown> }> = [
      { call: "dashboards.list (first page of 100)", run: (o) => o.caller.dashboards.list({ orgId: o.orgId, projectId: o.projectId, limit: 100 }) },
      // The small org has no page 500 rows deep: its cursor is undefined, so it reads its first page (the same work).
      { call: "dashboards.list (page 500 rows deep)", run: (o, which) => o.caller.dashboards.list({ orgId: o.orgId, projectId: o.projectId, limit: 100, ...(deep[which] ? { cursor: deep[which] } : {}) }) },
      { call: "dashboards.list (search 'quasar')", run: (o) => o.caller.dashboards.list({ orgId: o.orgId, projectId: o.projectId, search: "quasar" }) },
      { call: "dashboards.search (org-wide 'quasar')", run: (o) => o.caller.dashboards.search({ orgId: o.orgId, query: "quasar" }) },
      { call: "dashboards.list (deleted ones)", run: (o) => o.caller.dashboards.list({ orgId: o.orgId, projectId: o.projectId, deleted: true }) },
      { call: "dashboards.recent (10)", run: (o) => o.caller.dashboards.recent({ orgId: o.orgId }) },
      // Members a page at a time (101 vs 10,001 members here).
      { call: "orgs.members.list (first page of 100)", run: (o) => o.caller.orgs.members.list({ orgId: o.orgId, limit: 100 }) },
      { call: "orgs.members.list (search 'quasar')", run: (o) => o.caller.orgs.members.list({ orgId: o.orgId, search: "quasar", limit: 100 }) },
      // Who has access to a dashboard: the same members, by their role in the project.
      { call: "sharing.access (first page of 100)", run: (o) => o.caller.sharing.access({ orgId: o.orgId, projectId: o.projectId, slug: "d-1" }) },
      { call: "sharing.access (search 'quasar')", run: (o) => o.caller.sharing.access({ orgId: o.orgId, projectId: o.projectId, slug: "d-1", search: "quasar" }) },
      // The audit log (100 vs 101,000 events, 1 in 100 a person's save) and the activity feed read from it.
      { call: "audit.list (first page of 50)", run: (o) => o.caller.audit.list({ orgId: o.orgId }) },
      { call: "audit.list (page 500 events deep)", run: (o, which) => o.caller.audit.list({ orgId: o.orgId, ...(deepAudit[which] ? { before: deepAudit[which] } : {}) }) },
      { call: "audit.list (people's events)", run: (o) => o.caller.audit.list({ orgId: o.orgId, actorKind: "user" }) },
      { call: "audit.list (action 'dashboards.')", run: (o) => o.caller.audit.list({ orgId: o.orgId, action: "dashboards." }) },
      { call: "collaboration.activity.list (30)", run: (o) => o.caller.collaboration.activity.list({ orgId: o.orgId }) },
      // The owner's notifications (300 vs 100,000 mentions, half unread): the bell's count, the first page, and the page 500 deep.
      { call: "notifications.list (the bell: unread count)", run: (o) => o.caller.collaboration.notifications.list({ orgId: o.orgId, unreadOnly: true, limit: 1 }) },
      { call: "notifications.list (first page of 100)", run: (o) => o.caller.collaboration.notifications.list({ orgId: o.orgId, limit: 100 }) },
      { call: "notifications.list (500 deep)", run: (o, which) => o.caller.collaboration.notifications.list({ orgId: o.orgId, limit: 100, ...(deepNotes[which] ? { cursor: deepNotes[which] } : {}) }) },
      // The org's projects (100 vs 1,000, the most an org holds), by name a page at a time, and a search.
      { call: "projects.list (first page of 100)", run: (o) => o.caller.projects.list({ orgId: o.orgId, limit: 100 }) },
      { call: "projects.list (500 deep)", run: (o, which) => o.caller.projects.list({ orgId: o.orgId, limit: 100, ...(deepProjects[which] ? { cursor: deepProjects[which] } : {}) }) },
      { call: "projects.list (search 'quasar')", run: (o) => o.caller.projects.list({ orgId: o.orgId, search: "quasar" }) },
      // One dashboard's history (100 vs 100,000 versions), a page of 50 at a time.
      { call: "dashboards.history (first page of 50)", run: (o) => o.caller.dashboards.history({ orgId: o.orgId, projectId: o.projectId, slug: "d-1" }) },
      { call: "dashboards.history (500 versions deep)", run: (o, which) => o.caller.dashboards.history({ orgId: o.orgId, projectId: o.projectId, slug: "d-1", ...(deepHistory[which] ? { cursor: deepHistory[which] } : {}) }) },
    ];
    const rows: ScaleRow[] = [];
    for (const c of cases.filter((c) => !process.env.BENCH_SCALE_ONLY || c.call.includes(process.env.BENCH_SCALE_ONLY))) {
      const times = { small: [] as number[], large: [] as number[] };
      for (let i = 0; i < 20; i++) await Promise.all([c.run(orgs.small, "small"), c.run(orgs.large, "large")]); // warm-up
      for (let i = 0; i < calls; i++) {
        for (const which of i % 2 ? (["small", "large"] as const) : (["large", "small"] as const)) {
          const t = performance.now();
          await c.run(orgs[which], which);
          times[which].push(performance.now() - t);
        }
      }
      const s = { p50: percentile(times.small, 50), p95: percentile(times.small, 95) };
      const l = { p50: percentile(times.large, 50), p95: percentile(times.large, 95) };
      rows.push({ call: c.call, small: s, large: l, ratio: l.p50 / s.p50, met: l.p50 / s.p50 <= SCALE_RATIO_GOAL });
    }
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    console.log(`\nScale: p50 of ${calls} calls each, ${small} vs ${large.toLocaleString("en-US")} dashboards (in process, one caller)`);
    console.log(["".padEnd(40), "100: p50".padStart(11), `${large / 1000}k: p50`.padStart(12), "p95 (large)".padStart(12), "ratio".padStart(7), "goal".padStart(13)].join(" "));
    for (const r of rows) {
      console.log([r.call.padEnd(40), ms(r.small.p50).padStart(11), ms(r.large.p50).padStart(12), ms(r.large.p95).padStart(12), `${r.ratio.toFixed(2)}×`.padStart(7), `≤ ${SCALE_RATIO_GOAL}× ${r.met ? "met" : "NOT met"}`.padStart(13)].join(" "));
    }
    return { dashboards: { small, large }, members, calls, rows };
  } finally {
    await kernel?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, runScaleBench);
