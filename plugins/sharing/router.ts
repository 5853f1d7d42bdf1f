/**
 * `sharing.*`: who can see a dashboard and why, sharing it (or a whole project) with a person,
 * revoking that, and the list of what others shared with me. Managing shares needs
 * `sharing.manage` in the project; the agent-facing procedures carry MCP metadata.
 */
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { capabilityProcedure, createTRPCRouter, grantableProjectProcedure, projectCapabilityProcedure, publicProcedure, userProcedure, type RequestContext } from "~/kernel/trpc";
import { hashSecret } from "~/kernel/auth/password-hash";
import { FieldErrors } from "~/kernel/errors";
import { pageInput } from "~/kernel/paging";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { dashboardView } from "../dashboards/lookup";
import { dashboardIdBySlug } from "../dashboards/published";
import { publishedDashboard } from "../dashboards/published";
import { sharingEmbedKeys, sharingManage, sharingOversee } from "./capabilities";
import { type EmbedViews, EmbedRefused, embedCutoff, embedOrigins, embedViews, embedViewsOf, listKeys, MAX_EMBED_SECONDS, MAX_ORIGINS, MAX_OVERLAP_HOURS, openEmbed, originSchema, REFUSAL_MESSAGES, retireKey, revokeEmbeds, rotateKey, setEmbedOrigins, signEmbedToken } from "./embeds";
import { changeLink, createLink, EXPORT_KINDS, listLinks, maxLinkDays, openLink, setMaxLinkDays, type LinkSummary } from "./links";
import { applyScope } from "~/kernel/scope";
import { linkPolicySchema, policyFromClaimsProblems, policyProblems, timeClampSchema } from "./policy";
import { invitationByToken, inviteExists, inviteToView, listInvites, revokeInvite } from "./invites";
import { listAccess, revokeGrant, shareWith, sharedWithMe, type GrantTarget } from "./grants";
import { accessOutput, embedTokenOutput, inviteCreatedOutput, inviteListOutput, inviteRevokedOutput, linkCreatedOutput, linkListOutput, linkRevokedOutput, sharedOutput, sharedWithMeOutput, shareRevokedOutput } from "./rest";

const slug = safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters");
const email = safeString().trim().max(320, "At most 320 characters").pipe(z.email({ message: "Enter an email address (name@example.com)" }));

type ProjectCtx = RequestContext & { org: { id: string }; project: { id: string } };

/** The target of a call: one dashboard by slug (404 when it is not a live one here), or the project. */
async function targetOf(ctx: ProjectCtx, dashboardSlug: string | null | undefined): Promise<GrantTarget> {
  if (!dashboardSlug) return { orgId: ctx.org.id, projectId: ctx.project.id, dashboardId: null };
  const id = await dashboardIdBySlug(ctx.db, ctx.org.id, ctx.project.id, dashboardSlug);
  if (!id) throw new TRPCError({ code: "NOT_FOUND", message: `No dashboard "${dashboardSlug}" in this project.` });
  return { orgId: ctx.org.id, projectId: ctx.project.id, dashboardId: id };
}

const linkId = z.uuid({ message: "linkId must be a link id from list_public_links" });

/** A link with its dashboard's signed-embed views beside its own (null: not embedded, or not the reader's to see). */
function withEmbedViews(link: LinkSummary, embeds: ReadonlyMap<string, EmbedViews>): LinkSummary & { embedViews: EmbedViews | null } {
  return { ...link, embedViews: embeds.get(link.dashboardId) ?? null };
}

const linksRouter = createTRPCRouter({
  create: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "create_public_link",
        description:
          "Create a public link to a dashboard (orgId, projectId, slug): anyone with the URL can view it without an account, read-only, with no SQL. expiresInDays: every link expires (default 30 days, or the organization's limit when shorter; at most that limit); password optional. variables sets, per variable name, what viewers may change: { mode: 'locked', value? } (fixed; without value the dashboard's default), { mode: 'allowed', values: [...] } or { mode: 'free' }; variables not named are locked at their default. timeClamp { from?, to? } (YYYY-MM-DD) bounds date ranges; exports lists which downloads viewers get (csv, png, svg). The URL is returned once: give it to the user now, it cannot be read again.",
      },
    })
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/public-links", summary: "Create a public link to a dashboard (the URL is in this answer only)", tags: ["sharing"] } })
    .input(
      z.object({
        slug,
        label: safeString().trim().max(200, "At most 200 characters").optional(),
        expiresInDays: z.number().int().min(1, "At least one day").max(365, "At most 365 days").optional(),
        password: safeString().min(8, "At least 8 characters").max(256, "At most 256 characters").optional(),
        variables: linkPolicySchema.default({}),
        timeClamp: timeClampSchema.nullish(),
        exports: z.array(z.enum(EXPORT_KINDS)).max(3).default([]),
      }),
    )
    .output(linkCreatedOutput)
    .mutation(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const dashboard = await publishedDashboard(ctx.db, ctx.org.id, target.dashboardId!);
      const problems = policyProblems(input.variables, dashboard?.doc.variables ?? []);
      if (Object.keys(problems).length) {
        const [field, messages] = Object.entries(problems)[0]!;
        throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `${field}: ${messages[0]}`, cause: new FieldErrors(problems) });
      }
      const link = await createLink(ctx.db, {
        orgId: ctx.org.id,
        projectId: ctx.project.id,
        dashboardId: target.dashboardId!,
        createdBy: ctx.actor.userId,
        label: input.label ?? "",
        expiresInDays: input.expiresInDays,
        passwordHash: input.password ? await hashSecret(input.password) : null,
        policy: input.variables,
        clamp: input.timeClamp ?? null,
        exports: [...new Set(input.exports)],
      });
      await ctx.audit({
        action: "sharing.link.create",
        target: { type: "dashboard", id: target.dashboardId! },
        data: { linkId: link.id, expiresAt: link.expiresAt.toISOString(), password: input.password ? "set" : "none", variables: Object.keys(input.variables), exports: input.exports },
      });
      const url = `${ctx.kernel.config.publicUrl.replace(/\/$/, "")}/s/${link.token}`;
      return { linkId: link.id, url, expiresAt: link.expiresAt.toISOString() };
    }),

  list: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "list_public_links",
        description:
          "List the public links of a dashboard (orgId, projectId, slug) or, without slug, of the whole project: linkId, status (active, paused, revoked, expired), expiry, whether it has a password, what viewers may change, view count and last view. Never the URL: it was shown once at creation. Use a linkId with revoke_public_link.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/public-links", summary: "List the public links of a dashboard (slug) or of the whole project, newest first", tags: ["sharing"] } })
    .input(z.object({ slug: slug.nullish() }))
    .output(linkListOutput)
    .query(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      return { links: await listLinks(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, dashboardId: target.dashboardId ?? undefined }) };
    }),

  setPaused: projectCapabilityProcedure(sharingManage)
    .input(z.object({ linkId, paused: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const row = await changeLink(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, linkId: input.linkId }, input.paused ? "pause" : "resume");
      await ctx.audit({ action: input.paused ? "sharing.link.pause" : "sharing.link.resume", target: { type: "dashboard", id: row.dashboard_id }, data: { linkId: row.id } });
      return { linkId: row.id, paused: input.paused };
    }),

  revoke: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "revoke_public_link",
        description:
          "Turn a public link off for good (orgId, projectId, linkId from list_public_links): anyone opening it, including pages already open, gets 'not available' from their next refresh. It cannot be turned back on; create a new link instead. Confirm with the user first.",
        destructive: true,
        idempotent: false,
      },
    })
    .meta({ openapi: { method: "DELETE", path: "/orgs/{orgId}/projects/{projectId}/public-links/{linkId}", summary: "Turn a public link off for good", tags: ["sharing"] } })
    .input(z.object({ linkId }))
    .output(linkRevokedOutput)
    .mutation(async ({ ctx, input }) => {
      const row = await changeLink(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, linkId: input.linkId }, "revoke");
      await ctx.audit({ action: "sharing.link.revoke", target: { type: "dashboard", id: row.dashboard_id }, data: { linkId: row.id } });
      return { linkId: row.id };
    }),

  // The organization's and a person's lists are pages for people; agents list per dashboard or project (list_public_links).
  org: capabilityProcedure(sharingOversee).query(async ({ ctx }) => {
    const links = await listLinks(ctx.db, { orgId: ctx.org.id });
    const embeds = await embedViewsOf(ctx.db, ctx.org.id, links.map((l) => l.dashboardId));
    return { links: links.map((l) => withEmbedViews(l, embeds)), maxLinkDays: await maxLinkDays(ctx.db, ctx.org.id) };
  }),

  /**
   * Whether a token opens a live link (and whether it asks for a password), for the public
   * page's lookup: its server render answers 404 for a revoked, paused or expired link, the same
   * as for one that never existed. Shows nothing of the dashboard.
   */
  status: publicProcedure.input(z.object({ token: safeString().max(64) })).query(async ({ ctx, input }) => {
    const link = await ctx.kernel.db.transaction().execute((trx) => openLink(trx, input.token));
    if (!link) throw new TRPCError({ code: "NOT_FOUND", message: "This link is not available. It may have expired or been turned off." });
    return { password: link.passwordHash !== null };
  }),

  mine: userProcedure.query(async ({ ctx }) => {
    const links = await listLinks(ctx.db, { createdBy: ctx.actor.userId });
    // A dashboard's embed views are for those who may manage its sharing (as in its Embed tab):
    // read in each org's scope, for the projects where the person still may.
    const embeds = new Map<string, EmbedViews>();
    try {
      for (const orgId of new Set(links.map((l) => l.orgId))) {
        await applyScope(ctx.db, { userId: ctx.actor.userId, orgId });
        const orgRole = await ctx.kernel.tenancy.memberRoleOf(ctx.actor.userId, orgId, ctx.db);
        if (!orgRole) continue;
        const manageable: string[] = [];
        for (const projectId of new Set(links.filter((l) => l.orgId === orgId).map((l) => l.projectId))) {
          const role = await ctx.kernel.tenancy.projectRoleOf(ctx.actor.userId, orgId, projectId, ctx.db, orgRole);
          if (role && ctx.kernel.capabilities.allows(role, sharingManage.id)) manageable.push(projectId);
        }
        const ids = links.filter((l) => l.orgId === orgId && manageable.includes(l.projectId)).map((l) => l.dashboardId);
        for (const [id, views] of await embedViewsOf(ctx.db, orgId, ids)) embeds.set(id, views);
      }
    } finally {
      await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: null });
    }
    return { links: links.map((l) => withEmbedViews(l, embeds)) };
  }),

  setMaxDays: capabilityProcedure(sharingOversee)
    .input(z.object({ maxLinkDays: z.number().int().min(1, "At least one day").max(365, "At most 365 days") }))
    .mutation(async ({ ctx, input }) => {
      await setMaxLinkDays(ctx.db, ctx.org.id, input.maxLinkDays);
      await ctx.audit({ action: "sharing.settings.update", data: { maxLinkDays: input.maxLinkDays } });
      return { maxLinkDays: input.maxLinkDays };
    }),
});

const invitesRouter = createTRPCRouter({
  create: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "invite_viewer",
        description:
          "Invite an email address (orgId, projectId, slug, email) to view one dashboard without an account: they get a mail with a one-time link, valid one hour, that lets the browser they open it in view the dashboard for 30 days. Inviting the same address again sends a new link (the earlier one stops working). Use share_dashboard instead for people who sign in. Returns the inviteId (for revoke_view_invitation).",
        idempotent: true,
      },
    })
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/view-invitations", summary: "Invite an email address to view a dashboard without an account (a one-time link by mail)", tags: ["sharing"] } })
    .input(z.object({ slug, email }))
    .output(inviteCreatedOutput)
    .mutation(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const dashboard = await publishedDashboard(ctx.db, ctx.org.id, target.dashboardId!);
      const me = await ctx.db.selectFrom("users").select(["name", "email"]).where("id", "=", ctx.actor.userId).executeTakeFirst();
      const invite = await inviteToView(ctx.kernel, ctx.db, {
        orgId: ctx.org.id,
        projectId: ctx.project.id,
        dashboardId: target.dashboardId!,
        dashboardTitle: dashboard?.title ?? input.slug,
        email: input.email,
        createdBy: ctx.actor.userId,
        inviterName: me?.name || me?.email || "Someone",
      });
      await ctx.audit({ action: "sharing.invite", target: { type: "dashboard", id: target.dashboardId! }, data: { inviteId: invite.id, email: input.email.toLowerCase(), resent: !invite.created } });
      return { inviteId: invite.id, resent: !invite.created };
    }),

  list: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "list_view_invitations",
        description:
          "List the email invitations to view a dashboard (orgId, projectId, slug): inviteId, email, status (sent, link-expired, viewing, access-expired, revoked), when sent, until when the browser may view, and whether they asked for more access.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/view-invitations", summary: "List a dashboard's email invitations to view, with each one's status", tags: ["sharing"] } })
    .input(z.object({ slug }))
    .output(inviteListOutput)
    .query(async ({ ctx, input }) => ({ invites: await listInvites(ctx.db, { orgId: ctx.org.id, dashboardId: (await targetOf(ctx, input.slug)).dashboardId! }) })),

  revoke: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "revoke_view_invitation",
        description:
          "End an email invitation to view (orgId, projectId, inviteId from list_view_invitations): its link stops working and the browser viewing with it loses access from its next refresh. Confirm with the user first.",
        destructive: true,
        idempotent: false,
      },
    })
    .meta({ openapi: { method: "DELETE", path: "/orgs/{orgId}/projects/{projectId}/view-invitations/{inviteId}", summary: "End an email invitation to view: its link and the browser viewing with it lose access", tags: ["sharing"] } })
    .input(z.object({ inviteId: z.uuid({ message: "inviteId must be an invitation id from list_view_invitations" }) }))
    .output(inviteRevokedOutput)
    .mutation(async ({ ctx, input }) => {
      const row = await revokeInvite(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, inviteId: input.inviteId });
      await ctx.audit({ action: "sharing.invite.revoke", target: { type: "dashboard", id: row.dashboard_id }, data: { inviteId: row.id, email: row.email } });
      return { inviteId: row.id };
    }),

  /** The invitation page's lookup: whether its mailed link still opens (404 otherwise), and what it is for. */
  status: publicProcedure.input(z.object({ token: safeString().max(64) })).query(async ({ ctx, input }) => {
    const found = await ctx.kernel.db.transaction().execute((trx) => invitationByToken(trx, input.token));
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: "This invitation link is not available: it works once, for an hour. Ask for a new one." });
    return { title: found.dashboard.title, email: found.row.email };
  }),

  /** The invited view's page lookup: 404 unless the id names an invitation a browser may be viewing. */
  viewing: publicProcedure.input(z.object({ inviteId: z.uuid() })).query(async ({ ctx, input }) => {
    const live = await ctx.kernel.db.transaction().execute((trx) => inviteExists(trx, input.inviteId));
    if (!live) throw new TRPCError({ code: "NOT_FOUND", message: "This invitation is not available." });
    return { live: true };
  }),
});

const keyId = z.uuid({ message: "keyId must be an embed key id from the Embed tab" });

/** The address a signed token opens. */
const embedUrl = (ctx: RequestContext, token: string) => `${ctx.kernel.config.publicUrl.replace(/\/$/, "")}/e/${token}`;

const embedsRouter = createTRPCRouter({
  /**
   * The Embed tab: the project's keys (never their material), the origins allowed to frame its
   * embeds, and for one dashboard its id (the token's `dashboard` claim), its variables and its
   * revocation cutoff. A page for people: agents sign tokens with create_embed_token.
   */
  settings: projectCapabilityProcedure(sharingManage)
    .input(z.object({ slug }))
    .query(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const dashboard = await publishedDashboard(ctx.db, ctx.org.id, target.dashboardId!);
      const cutoff = await embedCutoff(ctx.db, { orgId: ctx.org.id, dashboardId: target.dashboardId! });
      return {
        dashboardId: target.dashboardId!,
        variables: (dashboard?.doc.variables ?? []).map((v) => ({ name: v.name, label: v.label ?? v.name, type: v.type })),
        keys: await listKeys(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id }),
        origins: await embedOrigins(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id }),
        revokedBefore: cutoff?.toISOString() ?? null,
        views: await embedViews(ctx.db, { orgId: ctx.org.id, dashboardId: target.dashboardId! }),
        baseUrl: ctx.kernel.config.publicUrl.replace(/\/$/, ""),
      };
    }),

  // Key material is shown once, to a person in the Embed tab; it never goes through an agent.
  rotate: projectCapabilityProcedure(sharingEmbedKeys)
    .input(z.object({ overlapHours: z.number().int().min(0, "At least 0 hours").max(MAX_OVERLAP_HOURS, `At most ${MAX_OVERLAP_HOURS} hours`).default(24) }))
    .mutation(async ({ ctx, input }) => {
      const rotated = await rotateKey(ctx.kernel, ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, createdBy: ctx.actor.userId, overlapHours: input.overlapHours });
      await ctx.audit({ action: "sharing.embed.key.rotate", target: { type: "project", id: ctx.project.id }, data: { keyId: rotated.keyId, retiring: rotated.retiring } });
      return rotated;
    }),

  retire: projectCapabilityProcedure(sharingEmbedKeys)
    .input(z.object({ keyId }))
    .mutation(async ({ ctx, input }) => {
      await retireKey(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, keyId: input.keyId });
      await ctx.audit({ action: "sharing.embed.key.retire", target: { type: "project", id: ctx.project.id }, data: { keyId: input.keyId } });
      return { keyId: input.keyId };
    }),

  // Which sites may frame the project's embeds: a setting for people in the Embed tab.
  setOrigins: projectCapabilityProcedure(sharingEmbedKeys)
    .input(z.object({ origins: z.array(originSchema).max(MAX_ORIGINS, `At most ${MAX_ORIGINS} origins`) }))
    .mutation(async ({ ctx, input }) => {
      await setEmbedOrigins(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id }, input.origins);
      await ctx.audit({ action: "sharing.embed.origins", target: { type: "project", id: ctx.project.id }, data: { origins: input.origins } });
      return { origins: [...new Set(input.origins)] };
    }),

  // "Revoke all embeds of this dashboard": a button in the Embed tab, for people.
  revokeAll: projectCapabilityProcedure(sharingManage)
    .input(z.object({ slug }))
    .mutation(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const cutoff = await revokeEmbeds(ctx.db, { orgId: ctx.org.id, dashboardId: target.dashboardId! });
      await ctx.audit({ action: "sharing.embed.revoke", target: { type: "dashboard", id: target.dashboardId! }, data: { revokedBefore: cutoff.toISOString() } });
      return { revokedBefore: cutoff.toISOString() };
    }),

  createToken: projectCapabilityProcedure(sharingManage)
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/embed-tokens", summary: "Sign an embed token for a dashboard with the project's current embed key", tags: ["sharing"] } })
    .meta({
      mcp: {
        name: "create_embed_token",
        description:
          "Sign an embed token for a dashboard (orgId, projectId, slug) with the project's current embed key, for a quick test or a one-off embed (sites normally sign their own with the key from the Share dialog). params fixes variables to values the viewer cannot change ({ region: 'north' }); allowed lists variables the viewer may change; every other variable stays at its default. exports lists which downloads viewers get (csv, png, svg). expiresInMinutes: at most 1440 (24 hours), default 60. Returns the token and the /e/<token> URL to put in an iframe of an allowed origin.",
      },
    })
    .input(
      z.object({
        slug,
        params: z.record(safeString().max(63), safeUnknown()).refine((p) => Object.keys(p).length <= 50, "At most 50 params").default({}),
        allowed: z.array(safeString().max(63)).max(50, "At most 50 variables").default([]),
        exports: z.array(z.enum(EXPORT_KINDS)).max(3).default([]),
        expiresInMinutes: z.number().int().min(1, "At least one minute").max(MAX_EMBED_SECONDS / 60, "At most 1440 minutes (24 hours)").default(60),
      }),
    )
    .output(embedTokenOutput)
    .mutation(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const dashboard = await publishedDashboard(ctx.db, ctx.org.id, target.dashboardId!);
      const problems = policyFromClaimsProblems(input, dashboard?.doc.variables ?? []);
      if (Object.keys(problems).length) {
        const [field, messages] = Object.entries(problems)[0]!;
        throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `${field}: ${messages[0]}`, cause: new FieldErrors(problems) });
      }
      const signed = await signEmbedToken(ctx.kernel, ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id, dashboardId: target.dashboardId! }, {
        params: input.params,
        allowed: [...new Set(input.allowed)],
        exports: [...new Set(input.exports)],
        expiresInSeconds: input.expiresInMinutes * 60,
      });
      await ctx.audit({ action: "sharing.embed.token", target: { type: "dashboard", id: target.dashboardId! }, data: { params: Object.keys(input.params), allowed: input.allowed, expiresAt: signed.expiresAt.toISOString() } });
      return { token: signed.token, url: embedUrl(ctx, signed.token), expiresAt: signed.expiresAt.toISOString() };
    }),

  /**
   * Whether a token opens its embed, for the embed page's lookup: a refused token of a key
   * Atrium has is a 401 (its page says why), any other is a 404; the answer carries who may
   * frame the page (the project's allowed origins).
   */
  status: publicProcedure.input(z.object({ token: safeString().max(8192) })).query(async ({ ctx, input }) => {
    const opened = await ctx.kernel.db.transaction().execute((trx) => openEmbed(ctx.kernel, trx, input.token));
    // A token of no key Atrium has names nothing: 404, as for an unknown link.
    if (!opened.ok && opened.frameAncestors === null) throw new TRPCError({ code: "NOT_FOUND", message: "This embed is not available." });
    if (!opened.ok) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: REFUSAL_MESSAGES[opened.refusal], cause: new EmbedRefused(opened.refusal, opened.frameAncestors ?? undefined) });
    }
    return { frameAncestors: opened.frameAncestors };
  }),
});

export const sharingRouter = createTRPCRouter({
  links: linksRouter,
  embeds: embedsRouter,
  invites: invitesRouter,
  access: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "list_shares",
        description:
          "List who can see a dashboard (orgId, projectId, slug) or, without slug, the whole project, and why: first the shares (grantId, its role view/edit, whether it covers this dashboard or the whole project, pending when the address has no verified account yet), then the organization's members in the order they joined (their organization or project role). Filter with search (part of a name or email). One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last. Use a grantId with revoke_share.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/shares", summary: "List who can see a dashboard (slug) or the whole project, and why: shares, then members, a page at a time (pass nextCursor back as cursor)", tags: ["sharing"] } })
    .input(z.object({ slug: slug.nullish(), search: safeString().trim().max(200).optional(), ...pageInput(100) }))
    .output(accessOutput)
    .query(async ({ ctx, input }) => listAccess(ctx.db, await targetOf(ctx, input.slug), input)),

  share: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "share_dashboard",
        description:
          "Share a dashboard (orgId, projectId, slug) or, without slug, the whole project with a person by email, at role view or edit. They need not be a member of the organization: they see only what was shared with them. Sharing again with the same address changes the role. Returns the grantId (for revoke_share) and whether the address already has an account.",
        idempotent: true,
      },
    })
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/shares", summary: "Share a dashboard (slug) or the whole project with a person by email, at view or edit; again changes the role", tags: ["sharing"] } })
    .input(z.object({ slug: slug.nullish(), email, role: z.enum(["view", "edit"]) }))
    .output(sharedOutput)
    .mutation(async ({ ctx, input }) => {
      const target = await targetOf(ctx, input.slug);
      const grant = await shareWith(ctx.db, target, { email: input.email, role: input.role, createdBy: ctx.actor.userId });
      await ctx.audit({
        action: "sharing.grant",
        target: { type: target.dashboardId ? "dashboard" : "project", id: target.dashboardId ?? target.projectId },
        data: { grantId: grant.id, role: input.role, grantee: grant.userId ? { userId: grant.userId } : { email: grant.email }, created: grant.created },
      });
      return { grantId: grant.id, created: grant.created, hasAccount: grant.userId !== null };
    }),

  revoke: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "revoke_share",
        description:
          "Take back a share (orgId, projectId, grantId from list_shares): the person loses the access it gave at once (their membership, if any, is untouched). Confirm with the user first.",
        destructive: true,
        idempotent: false,
      },
    })
    .meta({ openapi: { method: "DELETE", path: "/orgs/{orgId}/projects/{projectId}/shares/{grantId}", summary: "Take back a share: the person loses the access it gave at once", tags: ["sharing"] } })
    .input(z.object({ grantId: z.uuid({ message: "grantId must be a share id from list_shares" }) }))
    .output(shareRevokedOutput)
    .mutation(async ({ ctx, input }) => {
      const row = await revokeGrant(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id }, input.grantId);
      await ctx.audit({
        action: "sharing.revoke",
        target: { type: row.dashboard_id ? "dashboard" : "project", id: row.dashboard_id ?? ctx.project.id },
        data: { grantId: row.id, role: row.role, grantee: row.user_id ? { userId: row.user_id } : { email: row.email } },
      });
      return { grantId: row.id };
    }),

  /**
   * What the caller may do on a dashboard shared with them (the "shared with me" page offers the
   * panels their role allows, the assistant's among them): the role, from their membership or
   * their shares, and its capabilities. 404 where neither reaches.
   */
  sharedAccess: grantableProjectProcedure({ resource: "dashboard", key: "slug" }, dashboardView)
    .input(z.object({ slug }))
    .query(async ({ ctx, input }) => {
      if (!(await dashboardIdBySlug(ctx.db, ctx.org.id, ctx.project.id, input.slug))) throw new TRPCError({ code: "NOT_FOUND", message: `No dashboard "${input.slug}" in this project.` });
      return { role: ctx.project.role, capabilities: ctx.kernel.capabilities.forRole(ctx.project.role) };
    }),

  sharedWithMe: userProcedure
    .meta({
      mcp: {
        name: "list_shared_with_me",
        description:
          "List the dashboards and projects other people shared with you, in any organization: orgId, projectId, the dashboard's slug and title (null when the whole project was shared) and your role (view/edit). Read one with get_dashboard (orgId, projectId, slug).",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/me/shares", summary: "List the dashboards and projects shared with the person, in any organization (whole project: dashboard null)", tags: ["sharing"] },
    })
    .output(sharedWithMeOutput)
    .query(async ({ ctx }) => ({ items: await sharedWithMe(ctx.db, ctx.actor.userId) })),
});
