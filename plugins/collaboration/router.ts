/**
 * `collaboration.*`: comment threads on dashboards, charts and charts at variable values, and
 * "reviewed" sign-offs on versions. Every call names the dashboard by project and slug: a
 * dashboard the caller cannot see is a 404 before anything else happens.
 */
import { z } from "zod";
import { createTRPCRouter, projectCapabilityProcedure, type RequestContext, type SignedInActor } from "~/kernel/trpc";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { dashboardView, lookupDashboard } from "../dashboards/lookup";
import { commentWrite, threadResolve, versionReview } from "./capabilities";
import { MAX_COMMENT_LENGTH } from "./markdown";
import {
  addComment,
  deleteComment,
  editComment,
  limitCommentRate,
  listReviews,
  listThreads,
  markRead,
  markReviewed,
  setResolved,
  threadCounts,
  unmarkReviewed,
  type CollaborationScope,
} from "./service";

const slug = safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters");
const body = safeString().trim().min(1, "Write something").max(MAX_COMMENT_LENGTH, `At most ${MAX_COMMENT_LENGTH} characters`);
const id = z.uuid({ message: "Must be an id (UUID)" });
const chartId = safeString().trim().min(1).max(63, "At most 63 characters");
const version = z.number().int().min(1, "Versions start at 1").max(2_147_483_647, "No such version");
const variables = z
  .record(safeString().max(63), safeUnknown())
  .refine((v) => Object.keys(v).length <= 50, "At most 50 variables")
  .refine((v) => JSON.stringify(v).length <= 4000, "At most 4,000 characters of variable values");

type ProjectCtx = RequestContext & { actor: SignedInActor; org: { id: string }; project: { id: string } };

function scopeOf(ctx: ProjectCtx): CollaborationScope {
  return { kernel: ctx.kernel, db: ctx.db, orgId: ctx.org.id, projectId: ctx.project.id, userId: ctx.actor.userId, agent: ctx.actor.agent?.client ?? null };
}

function dashboardOf(ctx: ProjectCtx, dashboardSlug: string) {
  return lookupDashboard(ctx.kernel, ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, slug: dashboardSlug });
}

export const collaborationRouter = createTRPCRouter({
  comments: createTRPCRouter({
    list: projectCapabilityProcedure(dashboardView)
      .meta({
        mcp: {
          name: "list_comments",
          description:
            "List the comment threads of a dashboard (orgId, projectId, slug), newest activity first. Filter with status (open, resolved, all; default open) or chartId. Each thread says its chart (null: the dashboard itself), variable values, status, and its comments in order: author, viaAgent (set when an agent wrote it for the person), Markdown body, the dashboard version it was written on, and outdated (the chart changed since). Reply or start a thread with add_comment; resolve with resolve_comment.",
          readOnly: true,
        },
      })
      .input(z.object({ slug, status: z.enum(["open", "resolved", "all"]).default("open"), chartId: chartId.nullish() }))
      .query(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        return { version: dashboard.version, threads: await listThreads(scopeOf(ctx), dashboard, { status: input.status, chartId: input.chartId }) };
      }),

    counts: projectCapabilityProcedure(dashboardView)
      .input(z.object({ slug }))
      .query(async ({ ctx, input }) => threadCounts(scopeOf(ctx), await dashboardOf(ctx, input.slug))),

    add: projectCapabilityProcedure(commentWrite, dashboardView)
      .meta({
        mcp: {
          name: "add_comment",
          description:
            "Write a comment on a dashboard (orgId, projectId, slug, body in Markdown, at most 5,000 characters). To reply, pass the threadId from list_comments; to start a thread on one chart pass chartId (and variables, as { name: value }, to pin it to those variable values); with neither it is a thread on the whole dashboard. The comment shows that you, an agent, wrote it on the person's behalf. Returns threadId and commentId.",
          idempotent: false,
        },
      })
      .input(z.object({ slug, body, threadId: id.optional(), chartId: chartId.nullish(), variables: variables.nullish() }))
      .mutation(async ({ ctx, input }) => {
        await limitCommentRate(ctx, ctx.actor.userId);
        const dashboard = await dashboardOf(ctx, input.slug);
        const added = await addComment(scopeOf(ctx), dashboard, input);
        await ctx.audit({
          action: "collaboration.comment.add",
          target: { type: "comment", id: added.commentId },
          data: { dashboardId: dashboard.id, threadId: added.threadId, newThread: added.created, length: input.body.length },
        });
        return added;
      }),

    edit: projectCapabilityProcedure(commentWrite, dashboardView)
      .input(z.object({ slug, commentId: id, body }))
      .mutation(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        await editComment(scopeOf(ctx), dashboard, input.commentId, input.body);
        await ctx.audit({ action: "collaboration.comment.edit", target: { type: "comment", id: input.commentId }, data: { dashboardId: dashboard.id, length: input.body.length } });
        return { ok: true as const };
      }),

    delete: projectCapabilityProcedure(commentWrite, dashboardView)
      .input(z.object({ slug, commentId: id }))
      .mutation(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        await deleteComment(scopeOf(ctx), dashboard, input.commentId);
        await ctx.audit({ action: "collaboration.comment.delete", target: { type: "comment", id: input.commentId }, data: { dashboardId: dashboard.id } });
        return { ok: true as const };
      }),

    markRead: projectCapabilityProcedure(dashboardView)
      .input(z.object({ slug }))
      .mutation(async ({ ctx, input }) => {
        await markRead(scopeOf(ctx), await dashboardOf(ctx, input.slug));
        return { ok: true as const };
      }),
  }),

  threads: createTRPCRouter({
    resolve: projectCapabilityProcedure(threadResolve, dashboardView)
      .meta({
        mcp: {
          name: "resolve_comment",
          description:
            "Resolve a comment thread of a dashboard (orgId, projectId, slug, threadId from list_comments), or reopen it with resolved: false. Resolve once what the thread asked for is done.",
          idempotent: true,
        },
      })
      .input(z.object({ slug, threadId: id, resolved: z.boolean().default(true) }))
      .mutation(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        const result = await setResolved(scopeOf(ctx), dashboard, input.threadId, input.resolved);
        await ctx.audit({ action: input.resolved ? "collaboration.thread.resolve" : "collaboration.thread.reopen", target: { type: "comment-thread", id: input.threadId }, data: { dashboardId: dashboard.id } });
        return result;
      }),
  }),

  reviews: createTRPCRouter({
    list: projectCapabilityProcedure(dashboardView)
      .input(z.object({ slug }))
      .query(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        return { version: dashboard.version, reviews: await listReviews(scopeOf(ctx), dashboard) };
      }),

    // A sign-off is a person's judgement: agents may read reviews, not give them.
    mark: projectCapabilityProcedure(versionReview, dashboardView)
      .input(z.object({ slug, version, reviewed: z.boolean().default(true) }))
      .mutation(async ({ ctx, input }) => {
        const dashboard = await dashboardOf(ctx, input.slug);
        if (input.reviewed) await markReviewed(scopeOf(ctx), dashboard, input.version);
        else await unmarkReviewed(scopeOf(ctx), dashboard, input.version);
        await ctx.audit({
          action: input.reviewed ? "collaboration.review.mark" : "collaboration.review.unmark",
          target: { type: "dashboard", id: dashboard.id },
          data: { version: input.version },
        });
        return { ok: true as const };
      }),
  }),
});
