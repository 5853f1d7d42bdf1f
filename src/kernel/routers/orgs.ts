/**
 * `orgs.*`: organizations (tenants), their members and invitations.
 */
import { TRPCError } from "@trpc/server";
import { sql, type Kysely, type Transaction } from "kysely";
import { enforceSignInPolicy } from "../auth/policy";
import { projectBySlug } from "./projects";
import type { KernelDatabase, Role } from "../db/schema";
import { z } from "zod";
import { generateApiToken, hashApiToken } from "../auth/tokens";
import { applyScope } from "../scope";
import { membersInvite, membersManage, orgDelete, orgUpdate, orgView } from "../tenancy/capabilities";
import { changeRole, createOrg, nameSchema, removeMember, roleSchema, slugSchema, transferOwnership } from "../tenancy/service";
import { capabilityProcedure, createTRPCRouter, publicProcedure, sessionProcedure, userProcedure } from "../trpc";
import { fieldError } from "../errors";
import { decodeKeyset, likePattern, pageInput, pageOf } from "../paging";
import { safeString } from "../schemas";

const emailSchema = safeString().trim().toLowerCase().email("Enter a valid email address").max(254);

/** A member as `orgs.members.list` answers it (and the REST API documents it). */
const memberOutput = z.looseObject({ userId: z.uuid(), email: z.string(), name: z.string(), role: roleSchema, joinedAt: z.date() }).meta({ id: "Member" });

/** An invitation as `orgs.invitations.list` answers it; never its link. */
const invitationOutput = z
  .looseObject({ id: z.uuid(), email: z.string(), role: roleSchema, expiresAt: z.date(), createdAt: z.date(), acceptedAt: z.date().nullable(), revokedAt: z.date().nullable() })
  .meta({ id: "Invitation" });

export const orgsRouter = createTRPCRouter({
  /** Orgs I belong to (a token: its own org). */
  list: userProcedure
    .meta({
      mcp: { name: "list_orgs", description: "List the organizations the user belongs to, with their role in each.", readOnly: true },
      openapi: { method: "GET", path: "/me/orgs", summary: "List the organizations the token reaches (its own), with the person's role", tags: ["account"] },
    })
    .output(z.array(z.looseObject({ id: z.uuid(), slug: z.string(), name: z.string(), role: roleSchema, createdAt: z.date() }).meta({ id: "MyOrg" })))
    .query(async ({ ctx }) => {
      let q = ctx.db
        .selectFrom("memberships")
        .innerJoin("orgs", "orgs.id", "memberships.org_id")
        .select(["orgs.id", "orgs.slug", "orgs.name", "memberships.role", "orgs.created_at as createdAt"])
        .where("memberships.user_id", "=", ctx.actor.userId)
        .where("orgs.deleted_at", "is", null)
        .orderBy("orgs.name");
      if (ctx.actor.kind === "token") q = q.where("orgs.id", "=", ctx.actor.orgId);
      return q.execute();
    }),

  /**
   * One org by slug, with my role and what it lets me do. 404 unless I am a member. With
   * `projectSlug`, also that project as `projects.bySlug` answers it (`project`: null when there is
   * none I may see; absent when the org's sign-in policy refuses me, so `projects.bySlug` says
   * why): a page inside a project loads its frame in one round trip instead of two.
   */
  bySlug: userProcedure.input(z.object({ slug: safeString().max(64), projectSlug: safeString().max(64).optional() })).query(async ({ ctx, input }) => {
    const row = await ctx.db
      .selectFrom("orgs")
      .innerJoin("memberships", (j) => j.onRef("memberships.org_id", "=", "orgs.id").on("memberships.user_id", "=", ctx.actor.userId))
      .select(["orgs.id", "orgs.slug", "orgs.name", "orgs.created_at as createdAt", "memberships.role"])
      .where("orgs.slug", "=", input.slug.toLowerCase())
      .where("orgs.deleted_at", "is", null)
      .executeTakeFirst();
    if (!row || (ctx.actor.kind === "token" && ctx.actor.orgId !== row.id)) throw new TRPCError({ code: "NOT_FOUND", message: "Organization not found." });
    const org: typeof row & { capabilities: string[]; project?: Awaited<ReturnType<typeof projectBySlug>> } = { ...row, capabilities: ctx.kernel.capabilities.forRole(row.role) };
    if (input.projectSlug === undefined) return org;
    // The project guard's own checks, in this transaction: the org's scope, then its sign-in policy.
    await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: row.id });
    try {
      await enforceSignInPolicy(ctx.kernel, ctx.db as Transaction<KernelDatabase>, ctx.actor, row.id, { scoped: true });
    } catch (err) {
      if (err instanceof TRPCError) return org;
      throw err;
    }
    return { ...org, project: await projectBySlug(ctx, row, input.projectSlug) };
  }),

  create: sessionProcedure.input(z.object({ slug: slugSchema, name: nameSchema })).mutation(async ({ ctx, input }) => {
    const org = await createOrg(ctx.db, { slug: input.slug, name: input.name, ownerId: ctx.actor.userId });
    await ctx.audit({ action: "org.create", orgId: org.id, target: { type: "org", id: org.id }, data: { slug: org.slug, name: org.name } });
    return org;
  }),

  rename: capabilityProcedure(orgUpdate).input(z.object({ name: nameSchema })).mutation(async ({ ctx, input }) => {
    await ctx.db.updateTable("orgs").set({ name: input.name, updated_at: new Date() }).where("id", "=", ctx.org.id).execute();
    await ctx.audit({ action: "org.rename", target: { type: "org", id: ctx.org.id }, data: { name: input.name } });
    return { name: input.name };
  }),

  /** Soft delete: gone for everyone at once, restorable for 30 days with `atrium orgs:restore`. */
  delete: capabilityProcedure(orgDelete)
    .input(z.object({ confirmSlug: safeString() }))
    .mutation(async ({ ctx, input }) => {
      const org = await ctx.db.selectFrom("orgs").select(["slug"]).where("id", "=", ctx.org.id).executeTakeFirstOrThrow();
      if (input.confirmSlug.trim().toLowerCase() !== org.slug) throw fieldError("UNPROCESSABLE_CONTENT", "confirmSlug", `Type "${org.slug}" to confirm.`);
      await ctx.db.updateTable("orgs").set({ deleted_at: new Date() }).where("id", "=", ctx.org.id).execute();
      await ctx.audit({ action: "org.delete", target: { type: "org", id: ctx.org.id }, data: { slug: org.slug } });
      return { ok: true, restorableDays: 30 };
    }),

  members: createTRPCRouter({
    list: capabilityProcedure(orgView)
      .meta({
        mcp: {
          name: "list_members",
          description:
            "List the members of an organization, in the order they joined: user id, email, name, role (owner, admin, editor, viewer) and when they joined. Filter with search (part of a name or email). One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/members", summary: "List the organization's members in the order they joined, a page at a time (pass nextCursor back as cursor)", tags: ["members"] } })
      .input(z.object({ search: safeString().trim().max(200).optional(), ...pageInput(100) }))
      .output(z.object({ items: z.array(memberOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input }) => {
        // users is not a tenant table; membership rows of this org are visible in scope.
        let q = ctx.db
          .selectFrom("memberships")
          .innerJoin("users", "users.id", "memberships.user_id")
          .select(["users.id as userId", "users.email", "users.name", "memberships.role", "memberships.created_at as joinedAt", sql<string>`memberships.created_at::text`.as("sortAt")])
          .where("memberships.org_id", "=", ctx.org.id);
        if (input.search) {
          const pattern = likePattern(input.search);
          // Name and email as one text, on its trigram index (db/migrations/2026-12-09-001-member-search.ts).
          q = q.where(sql<string>`atrium_user_search_text(users.name, users.email::text)`, "ilike", pattern);
        }
        if (input.cursor) {
          const after = decodeKeyset(input.cursor);
          q = q.where(sql<boolean>`(memberships.created_at, memberships.user_id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
        }
        const rows = await q.orderBy("memberships.created_at").orderBy("memberships.user_id").limit(input.limit + 1).execute();
        const page = pageOf(rows, input.limit, (r) => ({ at: r.sortAt, id: r.userId }));
        return { items: page.items.map(({ sortAt: _, ...member }) => member), nextCursor: page.nextCursor };
      }),

    updateRole: capabilityProcedure(membersManage)
      .input(z.object({ userId: z.uuid(), role: roleSchema }))
      .mutation(async ({ ctx, input }) => {
        const result = await changeRole(ctx.db, ctx.org.id, ctx.org.role, input.userId, input.role);
        await ctx.audit({ action: "member.role.update", target: { type: "user", id: input.userId }, data: { from: result.previousRole, to: input.role } });
        return result;
      }),

    remove: capabilityProcedure(membersManage)
      .input(z.object({ userId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        if (input.userId === ctx.actor.userId) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "To leave, use Leave organization.");
        await removeMember(ctx.db, ctx.org.id, ctx.org.role, input.userId);
        await ctx.audit({ action: "member.remove", target: { type: "user", id: input.userId } });
        return { ok: true };
      }),

    leave: capabilityProcedure(orgView).mutation(async ({ ctx }) => {
      await removeMember(ctx.db, ctx.org.id, "owner", ctx.actor.userId);
      await ctx.audit({ action: "member.leave", target: { type: "user", id: ctx.actor.userId } });
      return { ok: true };
    }),

    transferOwnership: capabilityProcedure(orgDelete)
      .input(z.object({ userId: z.uuid() }))
      .mutation(async ({ ctx, input }) => {
        await transferOwnership(ctx.db, ctx.org.id, ctx.actor.userId, input.userId);
        await ctx.audit({ action: "org.ownership.transfer", target: { type: "user", id: input.userId } });
        return { ok: true };
      }),
  }),

  invitations: createTRPCRouter({
    list: capabilityProcedure(membersInvite)
      .meta({
        mcp: {
          name: "list_invitations",
          description:
            "List the organization's invitations, newest first: email, role, expiry, and whether each was accepted or revoked; pending: true lists only those still waiting (not accepted, revoked or expired). One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/invitations", summary: "List the organization's invitations, newest first (pending: true for those still waiting)", tags: ["members"] } })
      .input(z.object({ pending: z.boolean().optional(), ...pageInput(100) }))
      .output(z.object({ items: z.array(invitationOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input }) => {
        let q = ctx.db
          .selectFrom("invitations")
          .select(["id", "email", "role", "expires_at as expiresAt", "created_at as createdAt", "accepted_at as acceptedAt", "revoked_at as revokedAt", sql<string>`created_at::text`.as("sortAt")])
          .where("org_id", "=", ctx.org.id);
        if (input.pending) q = q.where("accepted_at", "is", null).where("revoked_at", "is", null).where("expires_at", ">", sql<Date>`now()`);
        if (input.cursor) {
          const after = decodeKeyset(input.cursor);
          q = q.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
        }
        const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(input.limit + 1).execute();
        const page = pageOf(rows, input.limit, (r) => ({ at: r.sortAt, id: r.id }));
        return { items: page.items.map(({ sortAt: _, ...invitation }) => invitation), nextCursor: page.nextCursor };
      }),

    /** Invites by email with a role and an expiry; mails a single-use link (also returned once). */
    create: capabilityProcedure(membersInvite)
      .meta({ mcp: { name: "invite_member", description: "Invite someone to the organization by email with a role (viewer, editor, admin; owner only if you are one); expiresInDays optional (1 to 30, default 7). Atrium mails them a single-use link. Someone already a member answers 409.", idempotent: false } })
      .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/invitations", summary: "Invite someone by email with a role; Atrium mails them a single-use link (409 for a member)", tags: ["members"] } })
      .input(z.object({ email: emailSchema, role: roleSchema, expiresInDays: z.number().int().min(1).max(30).default(7) }))
      .output(z.looseObject({ id: z.uuid(), email: z.string(), role: roleSchema, expiresAt: z.date(), link: z.string() }))
      .mutation(async ({ ctx, input }) => {
        if (input.role === "owner" && ctx.org.role !== "owner") throw fieldError("FORBIDDEN", "role", "Only an owner can invite another owner.");
        const already = await ctx.db
          .selectFrom("memberships")
          .innerJoin("users", "users.id", "memberships.user_id")
          .select("users.id")
          .where("memberships.org_id", "=", ctx.org.id)
          .where("users.email", "=", input.email)
          .executeTakeFirst();
        if (already) throw fieldError("CONFLICT", "email", `${input.email} is already a member.`);
        const token = generateApiToken().replace(/^atr_/, "inv_");
        const row = await ctx.db
          .insertInto("invitations")
          .values({
            org_id: ctx.org.id,
            email: input.email,
            role: input.role,
            token_hash: hashApiToken(token),
            invited_by: ctx.actor.userId,
            expires_at: new Date(Date.now() + input.expiresInDays * 86_400_000),
          })
          .returning(["id", "email", "role", "expires_at as expiresAt"])
          .executeTakeFirstOrThrow();
        const org = await ctx.db.selectFrom("orgs").select(["name"]).where("id", "=", ctx.org.id).executeTakeFirstOrThrow();
        const link = `${ctx.kernel.config.publicUrl}/invite/${token}`;
        await ctx.kernel.mailer.send(ctx.db, {
          to: input.email,
          subject: `You're invited to ${org.name} on Atrium`,
          text: `You have been invited to join ${org.name} on Atrium as ${input.role}.\n\nAccept the invitation: ${link}\n\nThe link works once and expires on ${row.expiresAt.toISOString().slice(0, 10)}.`,
        });
        await ctx.audit({ action: "invitation.create", target: { type: "invitation", id: row.id }, data: { email: input.email, role: input.role } });
        return { ...row, link };
      }),

    revoke: capabilityProcedure(membersInvite)
      .meta({ mcp: { name: "revoke_invitation", description: "Revoke a pending invitation (invitationId from list_invitations): its link stops working.", destructive: true, idempotent: false } })
      .meta({ openapi: { method: "DELETE", path: "/orgs/{orgId}/invitations/{invitationId}", summary: "Revoke a pending invitation: its link stops working", tags: ["members"] } })
      .input(z.object({ invitationId: z.uuid() }))
      .output(z.object({ ok: z.boolean() }))
      .mutation(async ({ ctx, input }) => {
        const row = await ctx.db
          .updateTable("invitations")
          .set({ revoked_at: new Date() })
          .where("id", "=", input.invitationId)
          .where("org_id", "=", ctx.org.id)
          .where("accepted_at", "is", null)
          .where("revoked_at", "is", null)
          .returning("id")
          .executeTakeFirst();
        if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Invitation not found or no longer pending." });
        await ctx.audit({ action: "invitation.revoke", target: { type: "invitation", id: row.id } });
        return { ok: true };
      }),

    /** What an invitation link is for, before accepting (no membership needed). */
    preview: publicProcedure.input(z.object({ token: safeString().max(100) })).query(async ({ ctx, input }) => {
      const invitation = await findInvitation(ctx.kernel.db, input.token);
      if (!invitation) throw new TRPCError({ code: "NOT_FOUND", message: "This invitation link is not valid." });
      return { orgName: invitation.org_name, orgSlug: invitation.org_slug, email: invitation.email, role: invitation.role, status: invitationStatus(invitation) };
    }),

    /** Accepts an invitation sent to my email address. */
    accept: sessionProcedure.input(z.object({ token: safeString().max(100) })).mutation(async ({ ctx, input }) => {
      const invitation = await findInvitation(ctx.db, input.token);
      if (!invitation) throw new TRPCError({ code: "NOT_FOUND", message: "This invitation link is not valid." });
      const status = invitationStatus(invitation);
      if (status !== "pending") throw fieldError("CONFLICT", "token", status === "expired" ? "This invitation has expired; ask for a new one." : `This invitation was already ${status}.`);
      const me = await ctx.db.selectFrom("users").select(["email"]).where("id", "=", ctx.actor.userId).executeTakeFirstOrThrow();
      if (me.email.toLowerCase() !== invitation.email.toLowerCase()) {
        throw fieldError("FORBIDDEN", "token", `This invitation is for ${invitation.email}; you are signed in as ${me.email}.`);
      }
      await applyScope(ctx.db, { userId: ctx.actor.userId, orgId: invitation.org_id });
      const claimed = await ctx.db
        .updateTable("invitations")
        .set({ accepted_at: new Date() })
        .where("id", "=", invitation.id)
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .returning("id")
        .executeTakeFirst();
      if (!claimed) throw fieldError("CONFLICT", "token", "This invitation was already used.");
      await ctx.db
        .insertInto("memberships")
        .values({ org_id: invitation.org_id, user_id: ctx.actor.userId, role: invitation.role })
        .onConflict((oc) => oc.columns(["org_id", "user_id"]).doNothing())
        .execute();
      // The invitation proved the address.
      await ctx.db.updateTable("users").set({ email_verified_at: sql`coalesce(email_verified_at, now())` }).where("id", "=", ctx.actor.userId).execute();
      await ctx.audit({ action: "invitation.accept", orgId: invitation.org_id, target: { type: "invitation", id: invitation.id }, data: { role: invitation.role } });
      return { orgId: invitation.org_id, orgSlug: invitation.org_slug, role: invitation.role };
    }),
  }),
});

interface InvitationRow {
  id: string;
  org_id: string;
  org_slug: string;
  org_name: string;
  email: string;
  role: Role;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

async function findInvitation(db: Kysely<KernelDatabase>, token: string): Promise<InvitationRow | null> {
  if (!/^inv_[a-z2-7]{32}$/.test(token)) return null;
  const { rows } = await sql<InvitationRow>`select * from atrium_find_invitation(${hashApiToken(token)})`.execute(db);
  return rows[0] ?? null;
}

function invitationStatus(i: InvitationRow): "pending" | "accepted" | "revoked" | "expired" {
  if (i.accepted_at) return "accepted";
  if (i.revoked_at) return "revoked";
  if (i.expires_at.getTime() <= Date.now()) return "expired";
  return "pending";
}
