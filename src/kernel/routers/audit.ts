/**
 * `audit.*`: the org's audit log for its admins, filterable by action, actor kind and time.
 */
import { sql } from "kysely";
import { z } from "zod";
import { auditView } from "../tenancy/capabilities";
import { capabilityProcedure, createTRPCRouter } from "../trpc";
import { safeString } from "../schemas";

/** One audit event as `audit.list` answers it (and the REST API documents it). */
const auditEventOutput = z
  .looseObject({
    id: z.number().int(),
    action: z.string(),
    actorKind: z.string(),
    actorLabel: z.string().nullable(),
    actorTokenId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    data: z.unknown(),
    ip: z.string().nullable(),
    createdAt: z.date(),
  })
  .meta({ id: "AuditEvent" });

/** Whether the filters leave out every agent.* event (only agents write them, as actor kind "agent"). */
function skipsAgentCalls(input: { action?: string; actorKind?: string }): boolean {
  if (input.actorKind && input.actorKind !== "agent") return true;
  return !!input.action && !"agent.".startsWith(input.action) && !input.action.startsWith("agent.");
}

export const auditRouter = createTRPCRouter({
  list: capabilityProcedure(auditView)
    .meta({ mcp: { name: "list_audit_events", description: "Read the organization's audit log, newest first: who did what to which target, and when. Filter by action prefix (e.g. dashboards.) or actorKind; page back with before (the nextBefore of the last page).", readOnly: true } })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/audit", summary: "Read the organization's audit log, newest first (page back with before = nextBefore)", tags: ["audit"] } })
    .input(
      z.object({
        action: safeString().trim().max(100).optional(),
        actorKind: z.enum(["user", "token", "agent", "system", "anonymous"]).optional(),
        /** Page backwards: events older than this one (the nextBefore of the previous page). */
        before: z.coerce.number().int().positive().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.object({ events: z.array(auditEventOutput), nextBefore: z.number().int().nullable() }))
    .query(async ({ ctx, input }) => {
      let q = ctx.db
        .selectFrom("audit_events")
        .leftJoin("users", "users.id", "audit_events.actor_user_id")
        .select([
          "audit_events.id",
          "audit_events.action",
          "audit_events.actor_kind as actorKind",
          "audit_events.actor_label as actorLabel",
          "audit_events.actor_token_id as actorTokenId",
          "users.email as actorEmail",
          "audit_events.target_type as targetType",
          "audit_events.target_id as targetId",
          "audit_events.data",
          "audit_events.ip",
          "audit_events.created_at as createdAt",
        ])
        .where("audit_events.org_id", "=", ctx.org.id)
        // Newest first by the time of the event (an agent's read is stored a moment after it
        // happened), the id breaking ties: the order of audit_events_org_created_idx.
        .orderBy("audit_events.created_at", "desc")
        .orderBy("audit_events.id", "desc")
        .limit(input.limit + 1);
      if (input.action) q = q.where("audit_events.action", "like", `${input.action.replace(/[%_\\]/g, "\\$&")}%`);
      if (input.actorKind) q = q.where("audit_events.actor_kind", "=", input.actorKind);
      // A filter no agent call passes (agent.* actions are written by agents only) reads through
      // the index of the log without them: a page costs the same however many calls agents made.
      // (A literal, not a parameter, as the index's predicate is written: every plan can use it.)
      if (skipsAgentCalls(input)) q = q.where(sql<boolean>`audit_events.action not like 'agent.%'`);
      if (input.before) {
        // Older than that event (none when it is not one of this org's). The bound on created_at
        // alone is what the index can seek to; the pair then settles ties.
        const at = sql`(select b.created_at from audit_events b where b.id = ${String(input.before)} and b.org_id = ${ctx.org.id})`;
        q = q.where(sql<boolean>`audit_events.created_at <= ${at} and (audit_events.created_at, audit_events.id) < (${at}, ${String(input.before)}::bigint)`);
      }
      const rows = await q.execute();
      const page = rows.slice(0, input.limit).map((r) => ({ ...r, id: Number(r.id) }));
      return { events: page, nextBefore: rows.length > input.limit ? page[page.length - 1]!.id : null };
    }),
});
