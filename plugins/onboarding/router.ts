/**
 * `onboarding.*`: the setup status (computed, never stored), the org home checklist, and the
 * task board of setup runs. Every procedure names its capability; agent-facing ones carry MCP
 * metadata, so an agent can follow `get_setup_status`'s next step with `start_setup_task`.
 */
import { z } from "zod";
import { sql } from "kysely";
import type { Kysely } from "kysely";
import type { KernelDatabase, Role } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { capabilityProcedure, createTRPCRouter } from "~/kernel/trpc";
import { safeUnknown } from "~/kernel/schemas";
import { TASK_IDS, TASKS } from "./catalog";
import { onboardingManage, onboardingView } from "./capabilities";
import { cancelRun, getRun, runHistory, startTask, taskBoard } from "./runs";
import { runOutput, setupStatusOutput, startedOutput, taskBoardOutput } from "./rest";
import { setupStatus } from "./status";
import { onboardingDb } from "./tables";
import "./events";
import { recordStageReached } from "./funnel";
import { getSession, handOff, openSession, resumeSession, SAVE_INPUT, saveStep, takeOver } from "./wizard";

const task = z.enum(TASK_IDS, { message: `task must be one of: ${TASK_IDS.join(", ")}` });
const runId = z.uuid({ message: "runId must be a task run id (UUID)" });

/** The org's members who may run the setup (owners and admins), for a handoff. */
async function managers(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<Array<{ id: string; name: string; role: Role }>> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.id", "users.name", "users.email", "memberships.role"])
    .where("memberships.org_id", "=", orgId)
    .orderBy("users.name")
    .execute();
  return rows.filter((r) => kernel.capabilities.allows(r.role, onboardingManage.id)).map((r) => ({ id: r.id, name: r.name || r.email, role: r.role }));
}

/** A member's display name, read in the org's scope (a subscription holds no transaction). */
async function nameOf(kernel: Kernel, orgId: string, viewerId: string, userId: string): Promise<string> {
  const row = await kernel.withScope({ orgId, userId: viewerId }, (trx) =>
    trx.selectFrom("users").innerJoin("memberships", "memberships.user_id", "users.id").select(["users.name", "users.email"]).where("users.id", "=", userId).where("memberships.org_id", "=", orgId).executeTakeFirst(),
  );
  return row ? row.name || row.email : "someone";
}

export const onboardingRouter = createTRPCRouter({
  status: capabilityProcedure(onboardingView)
    .meta({
      mcp: {
        name: "get_setup_status",
        description:
          "Get the organization's setup stage (no_project, no_data_source, data_source_untested, no_data, no_dashboard, dashboard_not_run, done), computed from its real state, and nextStep: what to do, who may do it, the page, and the tool with arguments to call (usually start_setup_task). Call again after each step.",
        readOnly: true,
        idempotent: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/setup", summary: "The organization's setup stage, computed from its real state, and the next step", tags: ["setup"] } })
    .output(setupStatusOutput)
    .query(async ({ ctx }) => {
      const status = await setupStatus(ctx.kernel, ctx.db, ctx.org.id, ctx.org.role);
      await recordStageReached(ctx.kernel, ctx.db, ctx.org.id, status.stage);
      return status;
    }),

  checklist: createTRPCRouter({
    /** The org home's checklist: the status, and whether the caller hid it. */
    get: capabilityProcedure(onboardingView).query(async ({ ctx }) => {
      const dismissed = await onboardingDb(ctx.db)
        .selectFrom("onboarding_dismissals")
        .select("dismissed_at")
        .where("org_id", "=", ctx.org.id)
        .where("user_id", "=", ctx.actor.userId)
        .executeTakeFirst();
      const status = await setupStatus(ctx.kernel, ctx.db, ctx.org.id, ctx.org.role);
      await recordStageReached(ctx.kernel, ctx.db, ctx.org.id, status.stage);
      return {
        status,
        dismissed: !!dismissed,
        canRestore: ctx.kernel.capabilities.allows(ctx.org.role, onboardingManage.id),
      };
    }),

    /** Hides the checklist from the caller's org home (for them only). */
    dismiss: capabilityProcedure(onboardingView).mutation(async ({ ctx }) => {
      await onboardingDb(ctx.db)
        .insertInto("onboarding_dismissals")
        .values({ org_id: ctx.org.id, user_id: ctx.actor.userId })
        .onConflict((oc) => oc.columns(["org_id", "user_id"]).doUpdateSet({ dismissed_at: sql<Date>`now()` }))
        .execute();
      await ctx.audit({ action: "onboarding.checklist.dismiss" });
      return { dismissed: true as const };
    }),

    /** Shows the checklist again to everyone in the org who hid it. */
    restore: capabilityProcedure(onboardingManage).mutation(async ({ ctx }) => {
      const removed = await onboardingDb(ctx.db).deleteFrom("onboarding_dismissals").where("org_id", "=", ctx.org.id).executeTakeFirst();
      await ctx.audit({ action: "onboarding.checklist.restore", data: { restoredFor: Number(removed.numDeletedRows) } });
      return { restoredFor: Number(removed.numDeletedRows) };
    }),
  }),

  /**
   * The setup wizard's session (excluded from MCP: an agent follows get_setup_status and
   * start_setup_task; the wizard is the person's guided path to the same work).
   */
  wizard: createTRPCRouter({
    /** The session (or null before anyone opened it), who holds the lease, who may receive a handoff. */
    get: capabilityProcedure(onboardingView).query(async ({ ctx }) => ({
      session: await getSession(ctx.db, ctx.org.id, ctx.actor.userId),
      canManage: ctx.kernel.capabilities.allows(ctx.org.role, onboardingManage.id),
      managers: (await managers(ctx.kernel, ctx.db, ctx.org.id)).filter((m) => m.id !== ctx.actor.userId),
    })),

    /** Opens (or creates) the active session and takes the lease when nobody else holds it; renews it for its holder. */
    open: capabilityProcedure(onboardingManage).mutation(async ({ ctx }) => {
      const session = await openSession(ctx.db, ctx.org.id, ctx.actor.userId);
      if (session.version === 1 && session.lease?.you) await ctx.audit({ action: "onboarding.wizard.open", target: { type: "onboarding_session", id: session.id } });
      return session;
    }),

    /** Saves a step's answers and moves on, back, skips or finishes; 409 on a stale version or someone else's lease. */
    save: capabilityProcedure(onboardingManage)
      .input(SAVE_INPUT)
      .mutation(async ({ ctx, input }) => {
        const session = await saveStep(ctx.db, ctx.org.id, ctx.actor.userId, input);
        if (input.move === "skip" || input.move === "finish") await ctx.audit({ action: `onboarding.wizard.${input.move}`, target: { type: "onboarding_session", id: session.id }, data: { step: input.step } });
        return session;
      }),

    /** Takes the edit lease from its holder (audited; the holder sees who took it). */
    takeOver: capabilityProcedure(onboardingManage).mutation(async ({ ctx }) => {
      const { session, from } = await takeOver(ctx.db, ctx.org.id, ctx.actor.userId);
      await ctx.audit({ action: "onboarding.wizard.takeover", target: { type: "onboarding_session", id: session.id }, data: { from } });
      // The former holder's page listens (onLease) and says who took it at once.
      if (from) await ctx.kernel.events.emit("onboarding.lease.changed", { sessionId: session.id, how: "takeover", by: ctx.actor.userId, from, to: ctx.actor.userId }, { db: ctx.db, orgId: ctx.org.id });
      return session;
    }),

    /** Resumes the org's abandoned session where it stopped (409 when another one is active). */
    resume: capabilityProcedure(onboardingManage).mutation(async ({ ctx }) => {
      const session = await resumeSession(ctx.db, ctx.org.id, ctx.actor.userId);
      await ctx.audit({ action: "onboarding.wizard.resume", target: { type: "onboarding_session", id: session.id } });
      return session;
    }),

    /**
     * Tells the caller at once when the edit lease is taken from them or handed to them (the
     * page then reads the session again), instead of waiting for its next look.
     */
    onLease: capabilityProcedure(onboardingView).subscription(async function* ({ ctx, signal }) {
      for await (const event of ctx.kernel.events.stream("onboarding.lease.changed", { orgId: ctx.org.id, signal })) {
        const p = event.payload;
        const concerned = p.how === "takeover" ? p.from === ctx.actor.userId : p.to === ctx.actor.userId;
        if (concerned) yield { sessionId: p.sessionId, how: p.how, byName: await nameOf(ctx.kernel, ctx.org.id, ctx.actor.userId, p.by) };
      }
    }),

    /** Hands the session and its lease to another owner or admin. */
    handOff: capabilityProcedure(onboardingManage)
      .input(z.object({ userId: z.uuid({ message: "userId must be a member's id (UUID)" }) }))
      .mutation(async ({ ctx, input }) => {
        const allowed = new Set((await managers(ctx.kernel, ctx.db, ctx.org.id)).map((m) => m.id));
        const session = await handOff(ctx.db, ctx.org.id, ctx.actor.userId, input.userId, async (id) => allowed.has(id));
        await ctx.audit({ action: "onboarding.wizard.handoff", target: { type: "onboarding_session", id: session.id }, data: { to: input.userId } });
        await ctx.kernel.events.emit("onboarding.lease.changed", { sessionId: session.id, how: "handoff", by: ctx.actor.userId, from: ctx.actor.userId, to: input.userId }, { db: ctx.db, orgId: ctx.org.id });
        return session;
      }),
  }),

  tasks: createTRPCRouter({
    list: capabilityProcedure(onboardingView)
      .meta({
        mcp: {
          name: "list_setup_tasks",
          description: `List the setup tasks (${TASK_IDS.join(", ")}) with each one's status badge from stored evidence (ok, warn, fail, unknown; a reason code and message; observedAt), its active run if any and its last run, and whether you may start them.`,
          readOnly: true,
          idempotent: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/setup/tasks", summary: "The setup tasks with each one's status badge, active run and last run", tags: ["setup"] } })
      .output(taskBoardOutput)
      .query(({ ctx }) => taskBoard(ctx.kernel, ctx.db, ctx.org.id, ctx.org.role)),

    start: capabilityProcedure(onboardingManage)
      .meta({
        mcp: {
          name: "start_setup_task",
          description: `Start a setup task; it is queued and runs in the background (follow it with get_task_run). Tasks and params: ${TASK_IDS.map((t) => `${t} (${TASKS[t].description})`).join("; ")}. connection.verify and schema.introspect take { sourceId } ("warehouse" or a source id); data.import takes { table, csv }; dashboard.generate takes { projectId? }; dashboard.run takes { projectId?, slug? } (default: the newest dashboard). One active run per task: a second start answers 409 naming the active run, or returns it when idempotent is true.`,
          idempotent: false,
        },
      })
      .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/setup/runs", summary: "Start a setup task; it runs in the background (409 while the task has an active run, unless idempotent)", tags: ["setup"] } })
      .input(z.object({ task, params: z.record(z.string().max(40), safeUnknown()).optional(), idempotent: z.boolean().default(false) }))
      .output(startedOutput)
      .mutation(async ({ ctx, input }) => {
        const result = await startTask(ctx.kernel, ctx.db, ctx.org.id, ctx.actor.userId, input);
        if (result.created) await ctx.audit({ action: "onboarding.task.start", target: { type: "setup_task_run", id: result.run.id }, data: { task: input.task, params: result.run.params } });
        else await ctx.audit({ action: "onboarding.task.reuse", target: { type: "setup_task_run", id: result.run.id }, data: { task: input.task } });
        return result;
      }),

    cancel: capabilityProcedure(onboardingManage)
      .meta({ mcp: { name: "cancel_setup_task", description: "Cancel a queued or running setup task run.", destructive: true, idempotent: false } })
      .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/setup/runs/{runId}/cancel", summary: "Cancel a queued or running setup task run", tags: ["setup"] } })
      .input(z.object({ runId }))
      .output(runOutput)
      .mutation(async ({ ctx, input }) => {
        const run = await cancelRun(ctx.db, ctx.org.id, input.runId);
        await ctx.audit({ action: "onboarding.task.cancel", target: { type: "setup_task_run", id: run.id }, data: { task: run.task } });
        return run;
      }),

    run: capabilityProcedure(onboardingView)
      .meta({
        mcp: {
          name: "get_task_run",
          description: "Get one setup task run: its status (queued, running, succeeded, failed, cancelled), attempts, reason code and message, and when it was queued, started and finished.",
          readOnly: true,
          idempotent: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/setup/runs/{runId}", summary: "One setup task run: its status, attempts, reason and times", tags: ["setup"] } })
      .input(z.object({ runId }))
      .output(runOutput)
      .query(({ ctx, input }) => getRun(ctx.db, ctx.org.id, input.runId)),

    history: capabilityProcedure(onboardingView)
      .input(z.object({ task: task.optional(), limit: z.number().int().min(1).max(100).default(30) }))
      .query(({ ctx, input }) => runHistory(ctx.db, ctx.org.id, input)),
  }),
});
