import { TRPCError } from "@trpc/server";
/**
 * The org's AI agent usage as an Atrium dashboard: the audit log's agent tool calls (the last
 * 90 days, per day, tool and client, with errors) are written to the org's warehouse as the
 * read-only table `atrium_agent_usage`, and the dashboard "AI agent usage" (saved as a normal,
 * versioned dashboard in a project the admin chooses) charts it. Refreshed each time it is opened.
 */
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { ensureWarehouse, invalidateWarehouse, withWarehouseAdmin } from "../data/engine";
import { saveDashboardFile } from "../dashboards/files";

export const USAGE_TABLE = "atrium_agent_usage";
export const USAGE_DASHBOARD_SLUG = "ai-agent-usage";
export const USAGE_DAYS = 90;

export interface UsageRow {
  day: string;
  tool: string;
  client: string;
  calls: number;
  errors: number;
}

/**
 * Agent tool calls of the org per day, tool and client (its registered name for OAuth grants,
 * else the name it sent), from the audit log, read in the org's scope (row-level security).
 */
export async function agentUsageRows(db: Kysely<KernelDatabase>, orgId: string, days = USAGE_DAYS): Promise<UsageRow[]> {
  const { rows } = await sql<UsageRow>`
    select to_char(date_trunc('day', e.created_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
           coalesce(e.target_id, '') as tool,
           coalesce(c.client_name, e.actor_label, 'MCP client') as client,
           count(*)::int as calls,
           (count(*) filter (where (e.data->>'ok') = 'false'))::int as errors
    from audit_events e
    left join mcp_oauth_grants g on g.id = e.actor_token_id
    left join mcp_oauth_clients c on c.id = g.client_pk
    where e.org_id = ${orgId} and e.action = 'agent.tool.call' and e.actor_kind = 'agent'
      and e.created_at > now() - make_interval(days => ${days})
    group by 1, 2, 3
    order by 1, 2, 3
    limit 100000`.execute(db);
  return rows;
}

/** Replaces the org's `atrium_agent_usage` table with `rows`, in one warehouse transaction. */
export async function publishUsageTable(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, rows: UsageRow[]): Promise<void> {
  const info = await ensureWarehouse(kernel, db, orgId);
  await withWarehouseAdmin(kernel, info, async (wh) => {
    await wh.query("begin");
    try {
      // Two publishes at once would race `create table if not exists` (a unique violation in the
      // catalog): they take turns on a lock held to the end of the transaction.
      await wh.query("select pg_advisory_xact_lock(hashtext($1))", [`atrium:${USAGE_TABLE}`]);
      await wh.query(`create table if not exists public.${USAGE_TABLE} (day date not null, tool text not null, client text not null, calls integer not null, errors integer not null)`);
      await wh.query(`truncate public.${USAGE_TABLE}`);
      // One statement per 1000 rows: parameters, never text pasted into SQL.
      for (let i = 0; i < rows.length; i += 1000) {
        const part = rows.slice(i, i + 1000);
        const values = part.map((_, j) => `($${j * 5 + 1}::date, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}::int, $${j * 5 + 5}::int)`).join(", ");
        await wh.query(`insert into public.${USAGE_TABLE} (day, tool, client, calls, errors) values ${values}`, part.flatMap((r) => [r.day, r.tool, r.client, r.calls, r.errors]));
      }
      await wh.query("commit");
    } catch (err) {
      await wh.query("rollback").catch(() => {});
      throw err;
    }
  });
  invalidateWarehouse(kernel, orgId);
}

export const USAGE_DASHBOARD_YAML = `title: AI agent usage
description: Tool calls by AI agents in this organization over the last ${USAGE_DAYS} days, from the audit log (refreshed each time it is opened from Settings › AI agents).
queries:
  totals:
    sql: select coalesce(sum(calls), 0)::int as calls, coalesce(sum(errors), 0)::int as errors, count(distinct client)::int as clients from ${USAGE_TABLE}
  per_day:
    sql: select day, sum(calls)::int as calls, sum(errors)::int as errors from ${USAGE_TABLE} group by day order by day
  per_tool:
    sql: select tool, sum(calls)::int as calls from ${USAGE_TABLE} group by tool order by 2 desc limit 25
  per_client:
    sql: select client, sum(calls)::int as calls from ${USAGE_TABLE} group by client order by 2 desc limit 25
  errors_per_tool:
    sql: select tool, sum(errors)::int as errors from ${USAGE_TABLE} group by tool having sum(errors) > 0 order by 2 desc limit 25
charts:
  - { id: calls, type: kpi, title: Tool calls, query: totals, value: calls }
  - { id: errors, type: kpi, title: Errors, query: totals, value: errors }
  - { id: clients, type: kpi, title: Clients, query: totals, value: clients }
  - { id: calls-per-day, type: line, title: Calls per day, query: per_day, x: day, y: calls }
  - { id: calls-per-tool, type: bar, title: Calls per tool, query: per_tool, x: tool, y: calls }
  - { id: calls-per-client, type: bar, title: Calls per client, query: per_client, x: client, y: calls }
  - { id: errors-per-tool, type: bar, title: Errors per tool, query: errors_per_tool, x: tool, y: errors }
`;

/** Refreshes the table and saves the dashboard in `projectId` (a new version only when its text changed). */
export async function publishAgentUsage(kernel: Kernel, db: Kysely<KernelDatabase>, scope: { orgId: string; projectId: string; userId: string }) {
  const rows = await agentUsageRows(db, scope.orgId);
  await publishUsageTable(kernel, db, scope.orgId, rows);
  const save = () => saveDashboardFile({ kernel, db, orgId: scope.orgId, projectId: scope.projectId, userId: scope.userId }, USAGE_DASHBOARD_SLUG, USAGE_DASHBOARD_YAML, "AI agent usage (Settings › AI agents)");
  // A publish at the same moment may have created the dashboard first: then it is there to keep.
  const saved = await save().catch((err: unknown) => {
    if (err instanceof TRPCError && err.code === "CONFLICT") return save();
    throw err;
  });
  return { slug: saved.slug, rows: rows.length, calls: rows.reduce((n, r) => n + r.calls, 0) };
}
