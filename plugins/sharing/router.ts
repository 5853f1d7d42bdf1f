/**
 * `sharing.*`: who can see a dashboard and why, sharing it (or a whole project) with a person,
 * revoking that, and the list of what others shared with me. Managing shares needs
 * `sharing.manage` in the project; the agent-facing procedures carry MCP metadata.
 */
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, projectCapabilityProcedure, userProcedure, type RequestContext } from "~/kernel/trpc";
import { safeString } from "~/kernel/schemas";
import { dashboardIdBySlug } from "../dashboards/published";
import { sharingManage } from "./capabilities";
import { listAccess, revokeGrant, shareWith, sharedWithMe, type GrantTarget } from "./grants";

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

export const sharingRouter = createTRPCRouter({
  access: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "list_shares",
        description:
          "List who can see a dashboard (orgId, projectId, slug) or, without slug, the whole project, and why: each entry is a member (their organization or project role) or a share (grantId, its role view/edit, whether it covers this dashboard or the whole project, pending when the address has no verified account yet). Use a grantId with revoke_share.",
        readOnly: true,
      },
    })
    .input(z.object({ slug: slug.nullish() }))
    .query(async ({ ctx, input }) => ({ entries: await listAccess(ctx.db, await targetOf(ctx, input.slug)) })),

  share: projectCapabilityProcedure(sharingManage)
    .meta({
      mcp: {
        name: "share_dashboard",
        description:
          "Share a dashboard (orgId, projectId, slug) or, without slug, the whole project with a person by email, at role view or edit. They need not be a member of the organization: they see only what was shared with them. Sharing again with the same address changes the role. Returns the grantId (for revoke_share) and whether the address already has an account.",
        idempotent: true,
      },
    })
    .input(z.object({ slug: slug.nullish(), email, role: z.enum(["view", "edit"]) }))
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
    .input(z.object({ grantId: z.uuid({ message: "grantId must be a share id from list_shares" }) }))
    .mutation(async ({ ctx, input }) => {
      const row = await revokeGrant(ctx.db, { orgId: ctx.org.id, projectId: ctx.project.id }, input.grantId);
      await ctx.audit({
        action: "sharing.revoke",
        target: { type: row.dashboard_id ? "dashboard" : "project", id: row.dashboard_id ?? ctx.project.id },
        data: { grantId: row.id, role: row.role, grantee: row.user_id ? { userId: row.user_id } : { email: row.email } },
      });
      return { grantId: row.id };
    }),

  sharedWithMe: userProcedure
    .meta({
      mcp: {
        name: "list_shared_with_me",
        description:
          "List the dashboards and projects other people shared with you, in any organization: orgId, projectId, the dashboard's slug and title (null when the whole project was shared) and your role (view/edit). Read one with get_dashboard (orgId, projectId, slug).",
        readOnly: true,
      },
    })
    .query(async ({ ctx }) => ({ items: await sharedWithMe(ctx.db, ctx.actor.userId) })),
});
