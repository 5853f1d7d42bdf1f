/**
 * `audit.*`: the org's audit log for its admins, filterable by action, actor kind and time.
 */
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

export const auditRouter = createTRPCRouter({
  list: capabilityProcedure(auditView)
    .meta({ mcp: { name: "list_audit_events", description: "Read the organization's audit log, newest first: who did what to which target, and when. Filter by action prefix (e.g. dashboards.) or actorKind; page back with before (the nextBefore of the last page).", readOnly: true } })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/audit", summary: "Read the organization's audit log, newest first (page back with before = nextBefore)", tags: ["audit"] } })
    .input(
      z.object({
        action: safeString().trim().max(100).optional(),
        actorKind: z.enum(["user", "token", "agent", "system", "anonymous"]).optional(),
        /** Page backwards: events with an id lower than this. */
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
        .orderBy("audit_events.id", "desc")
        .limit(input.limit + 1);
      if (input.action) q = q.where("audit_events.action", "like", `${input.action.replace(/[%_\\]/g, "\\$&")}%`);
      if (input.actorKind) q = q.where("audit_events.actor_kind", "=", input.actorKind);
      if (input.before) q = q.where("audit_events.id", "<", String(input.before));
      const rows = await q.execute();
      const page = rows.slice(0, input.limit).map((r) => ({ ...r, id: Number(r.id) }));
      return { events: page, nextBefore: rows.length > input.limit ? page[page.length - 1]!.id : null };
    }),
});
