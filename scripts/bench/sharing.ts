/**
 * Shared views: a public link's data route (`POST /api/sharing/public/:token`) for the
 * eight-chart bench dashboard over the sample data, against bare node:http + pg running the same
 * eight bound statements on the same warehouse, as many at once as Atrium's engine runs per org.
 *
 * Atrium does, per view: find the link by its token's hash, check status and expiry, the per-link
 * rate limit, the variables against the link's policy, the dashboard's document, the eight
 * queries through the engine (its result cache answers repeated views until data changes), the
 * allow-listed view, and a write recording the view. The reference does only the queries, every
 * time: the ratio shows what sharing's safety and bookkeeping cost against running the SQL.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "~/kernel/config";
import { bootKernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { plugins } from "~/plugins";
import { queryConcurrency } from "../../plugins/data/engine";
import { closeDataRuntime } from "../../plugins/data/runtime";
import { findWarehouse, warehouseClientConfig } from "../../plugins/data/warehouse";
import { signUp, trpcPost } from "./api";
import { capture } from "./baseline";
import { BENCH_DASHBOARD, benchStatements } from "./dashboards";
import type { RequestSpec } from "./load";
import { databaseUrlOf, startReference } from "./references";
import type { Scenario } from "./scenarios";

/** Signs up, makes an org with the sample data and the eight-chart dashboard, and a public link to it. */
export async function publicLinkFixture(atriumUrl: string, prefix: string) {
  const { cookie } = await signUp(atriumUrl, prefix);
  const orgSlug = `${prefix}-${Date.now().toString(36)}`;
  const org = await trpcPost(atriumUrl, "orgs.create", { slug: orgSlug, name: "Bench sharing" }, cookie);
  const orgId = org.data.id as string;
  await trpcPost(atriumUrl, "data.loadSample", { orgId }, cookie, 120_000);
  const project = await trpcPost(atriumUrl, "projects.create", { orgId, slug: "shop", name: "Shop" }, cookie);
  const projectId = project.data.id as string;
  await trpcPost(atriumUrl, "dashboards.create", { orgId, projectId, yaml: BENCH_DASHBOARD, slug: "overview" }, cookie);
  const link = await trpcPost(atriumUrl, "sharing.links.create", { orgId, projectId, slug: "overview", expiresInDays: 1 }, cookie);
  const token = new URL(link.data.url as string).pathname.split("/s/")[1];
  if (!token) throw new Error(`the link's URL has no token: ${String(link.data.url)}`);
  return { cookie, orgId, orgSlug, projectId, token };
}

/** What the reference needs from Atrium's own database: the statements and the warehouse to run them on. */
async function warehouseWork(dataDir: string, orgId: string) {
  const secret = process.env.ATRIUM_SECRET ?? readFileSync(path.join(dataDir, "secret"), "utf8").trim();
  const config = loadConfig({ DATABASE_URL: databaseUrlOf(dataDir), ATRIUM_SECRET: secret, LOG_LEVEL: "silent", NODE_ENV: "test" });
  const kernel = await bootKernel({ config, plugins, workJobs: false, log: createLogger("silent") });
  try {
    const statements = await benchStatements(kernel, orgId);
    const info = await findWarehouse(kernel, kernel.ownerDb, orgId);
    if (!info) throw new Error("the org has no warehouse");
    return { statements, clientConfig: warehouseClientConfig(kernel, info), concurrency: queryConcurrency(kernel) };
  } finally {
    await closeDataRuntime(kernel);
    await kernel.stop();
  }
}

const rowsOf = (body: Buffer): number[] => {
  const view = JSON.parse(body.toString("utf8")) as { results?: Record<string, { ok: boolean; rows?: unknown[] }>; charts?: unknown[][] };
  if (view.charts) return view.charts.map((rows) => rows.length).sort((a, b) => a - b);
  return Object.values(view.results ?? {}).map((r) => {
    if (!r.ok) throw new Error("a chart of the shared view failed");
    return r.rows?.length ?? 0;
  }).sort((a, b) => a - b);
};

export const sharingScenarios: Scenario[] = [
  {
    id: "public-link-data",
    description:
      "POST a public link's data route for the 8-chart dashboard (no session): token lookup, status, rate limit, variable policy, " +
      "the queries through the engine (cached while data is unchanged), the allow-listed view, the view recorded. " +
      "Reference: bare node:http + pg running the same 8 bound statements on the same warehouse, every time.",
    async prepare({ atriumUrl, dataDir }) {
      const fixture = await publicLinkFixture(atriumUrl, "bench-share");
      const request: RequestSpec = { method: "POST", path: `/api/sharing/public/${fixture.token}`, headers: { "content-type": "application/json" }, body: "{}" };
      const atrium = await capture(atriumUrl, request);
      const work = await warehouseWork(dataDir, fixture.orgId);
      const baseline = await startReference("bare node:http + pg, same 8 statements", request, { mode: "pg-statements", ...work });
      const reference = await capture(baseline.url, request);
      // Same work: every chart's row count matches the statements' (both sorted, charts are keyed differently).
      if (JSON.stringify(rowsOf(atrium.body)) !== JSON.stringify(rowsOf(reference.body))) {
        await baseline.close();
        throw new Error(`the reference's rows (${rowsOf(reference.body).join(",")}) differ from the shared view's (${rowsOf(atrium.body).join(",")})`);
      }
      return { target: { label: "Atrium public link data", url: atriumUrl, request }, baseline, cleanup: baseline.close };
    },
  },
];
