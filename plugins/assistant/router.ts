/**
 * `assistant.*`: whether the assistant is configured, and the person's conversation threads
 * (list, open, rename, delete). The conversation itself streams from `/api/assistant/chat`
 * (chat.ts), which is not a procedure: it answers with the AI SDK's UI message stream.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, grantableOrgProcedure, roleWithinReach } from "~/kernel/trpc";
import { assistantUse } from "./capabilities";
import { assistantConfig, CONFIGURE_HELP } from "./config";
import { assistantDb, deleteThread, getThread, listThreads, renameThread, threadMessages, TITLE_MAX, usageToday } from "./service";
import { safeString } from "~/kernel/schemas";

const threadId = z.uuid({ message: "threadId must be a conversation id (UUID)" });
const projectId = z.uuid({ message: "projectId must be a project id (UUID)" });

// Every procedure is org-wide and reachable through shares (grantableOrgProcedure): someone whose
// only access is a shared dashboard may talk to the assistant about it; its tools then reach
// exactly what was shared. A project named must be reached by membership or a share (404).

export const assistantRouter = createTRPCRouter({
  /** Whether a model is configured (if not, how to configure it), and today's budget. */
  status: grantableOrgProcedure(assistantUse).query(async ({ ctx }) => {
    const config = assistantConfig();
    const used = await usageToday(assistantDb(ctx.db), ctx.org.id, ctx.actor.userId);
    return {
      configured: config.configured,
      model: config.configured ? config.model : null,
      help: config.configured ? null : CONFIGURE_HELP,
      dailyTokens: config.limits.dailyTokens,
      usedTokensToday: used.tokens,
    };
  }),

  /**
   * What the chat endpoint needs before it answers in a place (names, the role, today's usage,
   * the thread): the endpoint calls this as the person, so the org guard decides (404, 403,
   * sign-in policy) exactly as for any procedure.
   */
  chatContext: grantableOrgProcedure(assistantUse)
    .input(z.object({ projectId: projectId.nullish(), threadId: threadId.nullable().default(null) }))
    .query(async ({ ctx, input }) => {
      const projectId = input.projectId ?? null;
      const role = await roleWithinReach(ctx, projectId, [assistantUse]);
      const project = projectId ? await ctx.db.selectFrom("projects").select(["id", "name"]).where("id", "=", projectId).executeTakeFirstOrThrow() : null;
      const org = await ctx.db.selectFrom("orgs").select(["id", "name"]).where("id", "=", ctx.org.id).executeTakeFirstOrThrow();
      const person = await ctx.db.selectFrom("users").select(["name"]).where("id", "=", ctx.actor.userId).executeTakeFirst();
      const db = assistantDb(ctx.db);
      let thread: Awaited<ReturnType<typeof getThread>> | null = null;
      if (input.threadId) {
        thread = await getThread(db, ctx.org.id, ctx.actor.userId, input.threadId);
        if (thread.projectId !== projectId) throw new TRPCError({ code: "NOT_FOUND", message: "Conversation not found." });
      }
      const used = await usageToday(db, ctx.org.id, ctx.actor.userId);
      return { org, role, project, personName: person?.name ?? null, usedTokensToday: used.tokens, thread };
    }),

  threads: createTRPCRouter({
    /** The person's threads: of one project, of the org home (`projectId: null`), or all (no `projectId`). */
    list: grantableOrgProcedure(assistantUse)
      .input(z.object({ projectId: projectId.nullish() }))
      .query(async ({ ctx, input }) => {
        if (input.projectId) await roleWithinReach(ctx, input.projectId, [assistantUse]);
        return { items: await listThreads(assistantDb(ctx.db), ctx.org.id, ctx.actor.userId, input.projectId) };
      }),

    /** One thread with its messages (AI SDK UI messages). */
    get: grantableOrgProcedure(assistantUse)
      .input(z.object({ threadId }))
      .query(async ({ ctx, input }) => {
        const db = assistantDb(ctx.db);
        const thread = await getThread(db, ctx.org.id, ctx.actor.userId, input.threadId);
        return { thread, messages: await threadMessages(db, thread.id) };
      }),

    rename: grantableOrgProcedure(assistantUse)
      .input(z.object({ threadId, title: safeString().trim().min(1, "Give the conversation a name").max(TITLE_MAX, `At most ${TITLE_MAX} characters`) }))
      .mutation(async ({ ctx, input }) => {
        const thread = await renameThread(assistantDb(ctx.db), ctx.org.id, ctx.actor.userId, input.threadId, input.title);
        await ctx.audit({ action: "assistant.thread.rename", target: { type: "assistant_thread", id: thread.id }, data: { title: thread.title } });
        return thread;
      }),

    delete: grantableOrgProcedure(assistantUse)
      .input(z.object({ threadId }))
      .mutation(async ({ ctx, input }) => {
        await deleteThread(assistantDb(ctx.db), ctx.org.id, ctx.actor.userId, input.threadId);
        await ctx.audit({ action: "assistant.thread.delete", target: { type: "assistant_thread", id: input.threadId } });
        return { deleted: true as const, threadId: input.threadId };
      }),
  }),
});
