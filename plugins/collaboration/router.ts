/**
 * `collaboration.*`: comment threads on dashboards, charts and charts at variable values, and
 * "reviewed" sign-offs on versions. Every call names the dashboard by project and slug: a
 * dashboard the caller cannot see is a 404 before anything else happens.
 */
import { sql, type SqlBool } from "kysely";
import { z } from "zod";
import { capabilityProcedure, createTRPCRouter, grantableOrgProcedure, projectCanCondition, projectCapabilityProcedure, roleWithinReach, userProcedure, type RequestContext, type SignedInActor } from "~/kernel/trpc";
import { hitRateLimit } from "~/kernel/rate-limit";
import { orgView } from "~/kernel/tenancy/capabilities";
import { TRPCError } from "@trpc/server";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { dashboardEdit, dashboardView, lookupDashboard } from "../dashboards/lookup";
import { ACTIVITY_KINDS, listActivity } from "./activity";
import { activityOutput, commentAddedOutput, notificationListOutput, threadListOutput, threadResolvedOutput } from "./rest";
import { commentWrite, threadResolve, versionReview } from "./capabilities";
import { emailDigestJob } from "./jobs";
import { discardDraft, handOffLease, leaseView, openLease, releaseLease, renewLease, saveDraft, takeOverLease } from "./lease";
import { beat, dashboardLive, leave, PRESENCE_BEAT_SECONDS, presentOn, type PresentPerson } from "./presence";
import {
  DIGEST_DELAY_SECONDS,
  MAX_MENTIONS,
  listNotifications,
  markNotificationsRead,
  membersWhoCan,
  membersWhoCanSee,
  notifyComment,
  preferenceOf,
  resolveMentions,
  setPreference,
} from "./notifications";
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
  MAX_COMMENT_LENGTH,
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

/** The editor's text, as long as a dashboard may be. */
const draftYaml = safeString().max(500_000, "At most 500,000 characters");

/** People a person may mention per minute, across comments and instances. */
const MENTIONS_PER_MINUTE = 60;

type ProjectCtx = RequestContext & { actor: SignedInActor; org: { id: string }; project: { id: string } };

function scopeOf(ctx: ProjectCtx): CollaborationScope {
  return { kernel: ctx.kernel, db: ctx.db, orgId: ctx.org.id, projectId: ctx.project.id, userId: ctx.actor.userId, agent: ctx.actor.agent?.client ?? null };
}

function dashboardOf(ctx: ProjectCtx, dashboardSlug: string) {
  return lookupDashboard(ctx.kernel, ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, slug: dashboardSlug });
}

/** A member's display name, read in the org's scope (a subscription holds no transaction). */
async function nameIn(ctx: ProjectCtx, userId: string): Promise<string> {
  const row = await ctx.kernel.withScope({ orgId: ctx.org.id, userId: ctx.actor.userId }, (trx) =>
    trx.selectFrom("users").innerJoin("memberships", "memberships.user_id", "users.id").select(["users.name", "users.email"]).where("users.id", "=", userId).where("memberships.org_id", "=", ctx.org.id).executeTakeFirst(),
  );
  return row ? row.name || row.email : "Someone";
}

// The edit lease and drafts belong to a person at the dashboard editor: an agent edits through
// update_dashboard, whose version check (409) is its guard, and holds no editor open.
const leaseRouter = createTRPCRouter({
  /** Who edits the dashboard now, and the caller's own draft. */
  get: projectCapabilityProcedure(dashboardView)
    .input(z.object({ slug }))
    .query(async ({ ctx, input }) => leaseView(scopeOf(ctx), await dashboardOf(ctx, input.slug))),

  /** Opening the editor: takes the lease when nobody else holds a live one. */
  open: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const lease = await openLease(scopeOf(ctx), dashboard);
      await ctx.audit({ action: "collaboration.lease.open", target: { type: "dashboard", id: dashboard.id }, data: { holder: lease.holder?.id ?? null } });
      return lease;
    }),

  /** The holder's activity renews the lease (5 minutes from now); anyone else's changes nothing. */
  renew: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const lease = await renewLease(scopeOf(ctx), dashboard);
      await ctx.audit({ action: "collaboration.lease.renew", target: { type: "dashboard", id: dashboard.id }, data: { held: lease.you } });
      return lease;
    }),

  /** Takes the lease from whoever holds it, once the person confirmed; the former holder is told at once. */
  takeOver: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug, confirm: z.literal(true, { message: "Confirm that you take over editing from the person editing now" }) }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const { lease, from } = await takeOverLease(scopeOf(ctx), dashboard);
      await ctx.audit({ action: "collaboration.lease.takeover", target: { type: "dashboard", id: dashboard.id }, data: { from } });
      if (from) await ctx.kernel.events.emit("collaboration.lease.changed", { dashboardId: dashboard.id, how: "takeover", by: ctx.actor.userId, from, to: ctx.actor.userId }, { db: ctx.db, orgId: ctx.org.id });
      return lease;
    }),

  /** The holder hands the lease to a member who may edit the dashboard (the people offered by `editors`). */
  handOff: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug, userId: id }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const lease = await handOffLease(scopeOf(ctx), dashboard, input.userId);
      await ctx.audit({ action: "collaboration.lease.handoff", target: { type: "dashboard", id: dashboard.id }, data: { to: input.userId } });
      await ctx.kernel.events.emit("collaboration.lease.changed", { dashboardId: dashboard.id, how: "handoff", by: ctx.actor.userId, from: ctx.actor.userId, to: input.userId }, { db: ctx.db, orgId: ctx.org.id });
      return lease;
    }),

  /** Leaving the editor frees the caller's lease; those waiting are told. */
  release: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const released = await releaseLease(scopeOf(ctx), dashboard);
      await ctx.audit({ action: "collaboration.lease.release", target: { type: "dashboard", id: dashboard.id }, data: { released } });
      if (released) await ctx.kernel.events.emit("collaboration.lease.changed", { dashboardId: dashboard.id, how: "released", by: ctx.actor.userId, from: ctx.actor.userId, to: null }, { db: ctx.db, orgId: ctx.org.id });
      return { released };
    }),

  /** The members the holder may hand the lease to: those who may edit the dashboard, not the caller. */
  editors: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug }))
    .query(async ({ ctx, input }) => {
      await dashboardOf(ctx, input.slug);
      const members = await membersWhoCan(scopeOf(ctx), "dashboard.edit", { limit: 200 });
      return { members: members.filter((m) => m.id !== ctx.actor.userId).map((m) => ({ id: m.id, name: m.name })) };
    }),

  /**
   * Tells an open editor at once when the dashboard's lease changes hands: taken from the caller
   * (`you: "from"`), handed to them (`you: "to"`), or released (the waiting take it).
   */
  onChange: projectCapabilityProcedure(dashboardView)
    .input(z.object({ slug }))
    .subscription(async function* ({ ctx, input, signal }) {
      const dashboard = await ctx.kernel.withScope({ orgId: ctx.org.id, userId: ctx.actor.userId }, (trx) => lookupDashboard(ctx.kernel, trx, { orgId: ctx.org.id, projectId: ctx.project.id, slug: input.slug }));
      for await (const event of ctx.kernel.events.stream("collaboration.lease.changed", { orgId: ctx.org.id, signal })) {
        const p = event.payload;
        if (p.dashboardId !== dashboard.id) continue;
        const you = p.from === ctx.actor.userId && p.to !== ctx.actor.userId ? ("from" as const) : p.to === ctx.actor.userId ? ("to" as const) : null;
        yield { how: p.how, you, byName: await nameIn(ctx, p.by) };
      }
    }),
});

/** What an open dashboard page hears: who is here, a new saved version, a new comment. */
export type LiveMessage =
  | { kind: "present"; people: PresentPerson[] }
  | { kind: "saved"; version: number; byName: string; you: boolean }
  | { kind: "comment"; threadId: string; byName: string; you: boolean };

// Presence is an open page's: the subscription itself is the heartbeat (no audited mutation every
// few seconds), so an agent, which keeps no page open, has no tool for it; it reads versions and
// comments with get_dashboard and list_comments.
const liveRouter = createTRPCRouter({
  /**
   * An open dashboard page (its view, or its editor with `editing`): the caller is present while
   * the stream is open (beating every 15 s, gone 45 s after the last beat or at once when the
   * stream closes), and hears who is here (first, and on every change), each new saved version
   * and each new comment, from any app instance.
   */
  dashboard: projectCapabilityProcedure(dashboardView)
    .input(z.object({ slug, editing: z.boolean().default(false) }))
    .subscription(async function* ({ ctx, input, signal }) {
      const scoped = <T>(fn: (s: CollaborationScope) => Promise<T>) => ctx.kernel.withScope({ orgId: ctx.org.id, userId: ctx.actor.userId }, (trx) => fn({ ...scopeOf(ctx), db: trx }));
      const dashboard = await scoped((s) => lookupDashboard(ctx.kernel, s.db, { orgId: ctx.org.id, projectId: ctx.project.id, slug: input.slug }));
      const live = dashboardLive(ctx.kernel.events, { orgId: ctx.org.id, dashboardId: dashboard.id }, signal);
      let shown = "";
      const present = async (people: PresentPerson[]): Promise<LiveMessage | null> => {
        const key = JSON.stringify(people);
        if (key === shown) return null;
        shown = key;
        return { kind: "present", people };
      };
      const timer = setInterval(() => {
        void scoped((s) => beat(s, dashboard, input.editing))
          .then(() => live.poke())
          .catch((err: unknown) => ctx.kernel.log.warn({ err }, "presence beat failed"));
      }, PRESENCE_BEAT_SECONDS * 1000);
      try {
        const first = await present(await scoped((s) => beat(s, dashboard, input.editing)));
        if (first) yield first;
        for await (const event of live) {
          if (event.kind === "presence") {
            const next = await present(await scoped((s) => presentOn(s, dashboard.id)));
            if (next) yield next;
          } else if (event.kind === "saved") {
            yield { kind: "saved", version: event.version, byName: event.byId ? await nameIn(ctx, event.byId) : "Someone", you: event.byId === ctx.actor.userId } satisfies LiveMessage;
          } else {
            yield { kind: "comment", threadId: event.threadId, byName: await nameIn(ctx, event.byId), you: event.byId === ctx.actor.userId } satisfies LiveMessage;
          }
        }
      } finally {
        clearInterval(timer);
        live.close();
        await scoped((s) => leave(s, dashboard)).catch((err: unknown) => ctx.kernel.log.warn({ err }, "presence leave failed"));
      }
    }),
});

const draftsRouter = createTRPCRouter({
  /** Keeps the caller's unsaved editor text on the server (survives a closed tab, a crash, a takeover). */
  save: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug, yaml: draftYaml, baseVersion: version }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const draft = await saveDraft(scopeOf(ctx), dashboard, input.yaml, input.baseVersion);
      await ctx.audit({ action: "collaboration.draft.save", target: { type: "dashboard", id: dashboard.id }, data: { length: input.yaml.length, baseVersion: input.baseVersion } });
      return draft;
    }),

  /** Drops the caller's draft (saved as a version, or thrown away). */
  discard: projectCapabilityProcedure(dashboardEdit)
    .input(z.object({ slug }))
    .mutation(async ({ ctx, input }) => {
      const dashboard = await dashboardOf(ctx, input.slug);
      const discarded = await discardDraft(scopeOf(ctx), dashboard);
      await ctx.audit({ action: "collaboration.draft.discard", target: { type: "dashboard", id: dashboard.id }, data: { discarded } });
      return { discarded };
    }),
});

const activityRouter = createTRPCRouter({
  /**
   * What happened to the dashboards of the org, or of one project (projectId): saves, comments,
   * reviews, shares, newest first, filtered by kind and person, a page at a time. Entries on
   * dashboards the caller cannot see never appear. Reached through shares too: someone whose only
   * access in the org is a shared dashboard sees that dashboard's entries and nothing else.
   */
  list: grantableOrgProcedure(dashboardView)
    .meta({
      mcp: {
        name: "get_activity",
        description:
          "What happened lately to the dashboards of an organization (orgId) or of one project (orgId, projectId), newest first: saves (kind save, with the version), comments (comment, with threadId and first words), review sign-offs (review) and shares (share). Filter with kinds (any of save, comment, review, share) and personId (a user id: what that person did). Each entry has who (actor; viaAgent when an agent acted for them), when (at), the project and dashboard (slug, for get_dashboard or list_comments) and a one-line summary. One page at a time (limit, default 30, at most 100): pass nextCursor back as cursor; null means nothing older.",
        readOnly: true,
      },
    })
    .input(
      z.object({
        kinds: z.array(z.enum(ACTIVITY_KINDS)).max(ACTIVITY_KINDS.length).optional(),
        personId: id.optional(),
        limit: z.number().int().min(1).max(100).default(30),
        cursor: safeString().max(60, "Pass back the nextCursor of the previous page").optional(),
        projectId: z.uuid({ message: "projectId must be a project id (UUID)" }).nullish(),
      }),
    )
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/activity", summary: "What happened lately to the organization's dashboards (or one project's, with projectId), newest first, a page at a time", tags: ["collaboration"] } })
    .output(activityOutput)
    .query(async ({ ctx, input }) => {
      // A project's feed: 404 for a project neither membership nor a share reaches, 403 for a
      // member whose role there lacks dashboard.view and who holds no share there.
      if (input.projectId) await roleWithinReach(ctx, input.projectId, [dashboardView]);
      // The caller's reach: by membership (overrides, a token's narrowing; a condition on the
      // project's id, `p.id`), and by the grants they hold (whole projects, dashboards alone).
      const orgRole = ctx.org.role;
      const byMembership = orgRole ? projectCanCondition({ kernel: ctx.kernel, actor: ctx.actor, org: { id: ctx.org.id, role: orgRole } }, dashboardView, "p.id") : sql<SqlBool>`false`;
      return listActivity(ctx.db, {
        orgId: ctx.org.id,
        reach: { byMembership, grants: ctx.grants, projectId: input.projectId ?? null },
        kinds: input.kinds,
        personId: input.personId,
        limit: input.limit,
        cursor: input.cursor,
      });
    }),
});

export const collaborationRouter = createTRPCRouter({
  activity: activityRouter,
  lease: leaseRouter,
  drafts: draftsRouter,
  live: liveRouter,

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
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/comments", summary: "List a dashboard's comment threads, newest activity first (status open, resolved or all)", tags: ["collaboration"] } })
      .input(z.object({ slug, status: z.enum(["open", "resolved", "all"]).default("open"), chartId: chartId.nullish() }))
      .output(threadListOutput)
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
            "Write a comment on a dashboard (orgId, projectId, slug, body in Markdown, at most 5,000 characters). To mention people, write @Name in the body and pass their user ids or emails in mentions (find them with list_comments authors or the org's members); mentioning anyone who cannot see the dashboard is refused (422 on mentions). To reply, pass the threadId from list_comments; to start a thread on one chart pass chartId (and variables, as { name: value }, to pin it to those variable values); with neither it is a thread on the whole dashboard. The comment shows that you, an agent, wrote it on the person's behalf. Returns threadId and commentId.",
          idempotent: false,
        },
      })
      .input(
        z.object({
          slug,
          body,
          threadId: id.optional(),
          chartId: chartId.nullish(),
          variables: variables.nullish(),
          mentions: z.array(safeString().trim().min(1).max(320)).max(MAX_MENTIONS, `At most ${MAX_MENTIONS} people per comment`).optional(),
        }),
      )
      .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/comments", summary: "Write a comment: a reply (threadId), a thread on a chart (chartId), or on the dashboard", tags: ["collaboration"] } })
      .output(commentAddedOutput)
      .mutation(async ({ ctx, input }) => {
        await limitCommentRate(ctx, ctx.actor.userId);
        const dashboard = await dashboardOf(ctx, input.slug);
        const scope = scopeOf(ctx);
        const mentioned = await resolveMentions(scope, input.mentions ?? []);
        for (const _ of mentioned) {
          const limit = await hitRateLimit(ctx.kernel.db, `collaboration:mention:${ctx.actor.userId}`, MENTIONS_PER_MINUTE * ctx.kernel.config.rateLimitScale, 60);
          if (!limit.allowed) {
            ctx.resHeaders?.set("Retry-After", String(limit.retryAfterSeconds));
            throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `You are mentioning people too fast. Try again in ${limit.retryAfterSeconds} seconds.` });
          }
        }
        const added = await addComment(scope, dashboard, input);
        const told = await notifyComment(scope, dashboard, added, mentioned);
        for (const person of told) {
          const preference = await preferenceOf(ctx.db, person.userId);
          if (preference === "off" || (preference === "mentions" && person.kind !== "mention")) continue;
          // One digest per person and org: later notifications ride on the queued one.
          await ctx.kernel.jobs.enqueue(
            emailDigestJob,
            { orgId: ctx.org.id, userId: person.userId },
            { db: ctx.db, singletonKey: `${ctx.org.id}:${person.userId}`, startAfter: new Date(Date.now() + DIGEST_DELAY_SECONDS * 1000) },
          );
        }
        await ctx.audit({
          action: "collaboration.comment.add",
          target: { type: "comment", id: added.commentId },
          data: { dashboardId: dashboard.id, threadId: added.threadId, newThread: added.created, length: input.body.length, mentions: mentioned.length },
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

  // For @-completion: only people who can see the dashboard, never anyone else.
  members: projectCapabilityProcedure(dashboardView)
    .input(z.object({ slug, prefix: safeString().trim().max(100).default(""), limit: z.number().int().min(1).max(20).default(8) }))
    .query(async ({ ctx, input }) => {
      await dashboardOf(ctx, input.slug);
      const members = await membersWhoCanSee(scopeOf(ctx), { prefix: input.prefix || undefined, limit: 200 });
      return { members: members.filter((m) => m.id !== ctx.actor.userId).slice(0, input.limit).map((m) => ({ id: m.id, name: m.name })) };
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
      .meta({ openapi: { method: "PATCH", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/threads/{threadId}", summary: "Resolve a comment thread (resolved: true, the default) or reopen it (false)", tags: ["collaboration"] } })
      .input(z.object({ slug, threadId: id, resolved: z.boolean().default(true) }))
      .output(threadResolvedOutput)
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

  notifications: createTRPCRouter({
    list: capabilityProcedure(orgView)
      .meta({
        mcp: {
          name: "list_notifications",
          description:
            "List your notifications in an organization (orgId), newest first: someone mentioned you in a comment (kind mention) or replied in a thread you wrote in (kind reply), with who, when, the dashboard (projectId, dashboardSlug), the threadId and the comment's first words. unreadOnly: true lists only unread ones; unread counts them (up to 100). One page at a time (limit, default 30, at most 100): pass nextCursor back as cursor for older ones; null means the last.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/notifications", summary: "List your notifications in the organization (mentions, replies), newest first, a page at a time (pass nextCursor back as cursor)", tags: ["collaboration"] } })
      .input(z.object({ unreadOnly: z.boolean().default(false), limit: z.number().int().min(1).max(100).default(30), cursor: safeString().max(300).optional() }))
      .output(notificationListOutput)
      .query(({ ctx, input }) => listNotifications(ctx.db, ctx.actor.userId, (column) => projectCanCondition(ctx, dashboardView, column), input)),

    markRead: capabilityProcedure(orgView)
      .input(z.object({ ids: z.array(id).max(200).optional(), all: z.boolean().default(false) }))
      .mutation(async ({ ctx, input }) => ({ marked: await markNotificationsRead(ctx.db, ctx.actor.userId, input.all ? "all" : (input.ids ?? [])) })),
  }),

  // A person's own setting, in every org: emails for all comment news, mentions only, or none.
  mailPreference: createTRPCRouter({
    get: userProcedure.query(async ({ ctx }) => ({ email: await preferenceOf(ctx.db, ctx.actor.userId) })),
    set: userProcedure.input(z.object({ email: z.enum(["all", "mentions", "off"]) })).mutation(async ({ ctx, input }) => {
      await setPreference(ctx.db, ctx.actor.userId, input.email);
      await ctx.audit({ action: "collaboration.mailPreference.set", target: { type: "user", id: ctx.actor.userId }, data: { email: input.email } });
      return { email: input.email };
    }),
  }),
});
