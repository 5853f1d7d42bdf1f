/**
 * `projects.*`: projects inside an org, and project-level role overrides.
 */
import { TRPCError } from "@trpc/server";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { KernelDatabase, Role } from "../db/schema";
import type { Kernel } from "../kernel";
import { orgView, projectCreate, projectManage, projectUpdate } from "../tenancy/capabilities";
import { createProject, nameSchema, roleSchema, slugSchema } from "../tenancy/service";
import { projectRoleProblem } from "../tenancy/roles";
import { capabilityProcedure, createTRPCRouter, grantReaches, projectCapabilityProcedure, type SignedInActor } from "../trpc";
import { fieldError } from "../errors";
import { safeString } from "../schemas";
import { decodeTextKeyset, likePattern, PAGE_MAX, pageInput, textPageOf } from "../paging";

const projectColumns = ["id", "slug", "name", "description", "archived_at as archivedAt", "created_at as createdAt", "updated_at as updatedAt"] as const;

/** A project as `projects.list` answers it (and the REST API documents it). */
const projectOutput = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    archivedAt: z.date().nullable(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: "Project" });

/** A project as `projects.create` answers it. */
const createdProjectOutput = z.looseObject({ id: z.uuid(), slug: z.string(), name: z.string(), description: z.string() }).meta({ id: "CreatedProject" });

/** A member whose role in one project differs from their org role (`projects.roles.list`). */
const projectRoleOutput = z.looseObject({ userId: z.uuid(), email: z.string(), name: z.string(), role: roleSchema }).meta({ id: "ProjectRole" });

/**
 * A live project of the org by slug, with the caller's role there and what it lets them do; null
 * when there is none the caller may see. Runs under the org's scope (projects are tenant rows).
 */
export async function projectBySlug(
  ctx: { db: Kysely<KernelDatabase>; kernel: Pick<Kernel, "tenancy" | "capabilities">; actor: SignedInActor },
  org: { id: string; role: Role },
  slug: string,
) {
  const row = await ctx.db
    .selectFrom("projects")
    .select(projectColumns)
    .where("org_id", "=", org.id)
    .where("slug", "=", slug.toLowerCase())
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!row || !grantReaches(ctx.actor, row.id)) return null;
  const role = (await ctx.kernel.tenancy.projectRoleOf(ctx.actor.userId, org.id, row.id, ctx.db, org.role)) ?? org.role;
  return Object.assign({}, row, { role, capabilities: ctx.kernel.capabilities.forRole(role) });
}

/**
 * Projects by id in the caller's scope (under row-level security), in the ids' order: the second
 * half of a search. Its first half runs on the owner's connection, filtered explicitly by the
 * caller's org (and a narrowed token's projects): under row-level security PostgreSQL may not use
 * a non-leakproof operator such as ILIKE as an index condition, so a search in the caller's scope
 * reads every project of the org. Only the ids it finds are used; a wrong one could only make a
 * row disappear, never appear.
 */
async function projectsById(db: Kysely<KernelDatabase>, orgId: string, ids: string[]) {
  if (!ids.length) return [];
  const rows = await db.selectFrom("projects").select(projectColumns).where("org_id", "=", orgId).where("id", "in", ids).where("deleted_at", "is", null).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export const projectsRouter = createTRPCRouter({
  list: capabilityProcedure(orgView)
    .meta({
      mcp: {
        name: "list_projects",
        description:
          "List the projects of an organization by name (archived ones only with includeArchived: true); search finds part of a name or slug. One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects", summary: "List the projects you can see in an organization by name, a page at a time (pass nextCursor back as cursor)", tags: ["projects"] } })
    .input(z.object({ includeArchived: z.boolean().default(false), search: safeString().trim().max(200).optional(), ...pageInput(100) }))
    .output(z.object({ items: z.array(projectOutput), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      // A token an OAuth grant narrowed to some projects lists only those.
      const narrowed = ctx.actor.kind === "token" ? ctx.actor.projectIds : null;
      if (narrowed && narrowed.length === 0) return { items: [], nextCursor: null };
      // A search reads through the trigram index on the owner’s connection,
      // then reads its page back in the caller’s scope (projectsById); a plain page is read in the scope at once.
      const search = input.search ? likePattern(input.search) : null;
      let q = (search ? ctx.kernel.ownerDb : ctx.db).selectFrom("projects").select(projectColumns).where("org_id", "=", ctx.org.id).where("deleted_at", "is", null);
      if (!input.includeArchived) q = q.where("archived_at", "is", null);
      if (narrowed) q = q.where("id", "in", narrowed);
      if (search) q = q.where(sql<string>`atrium_project_search_text(name, slug)`, "ilike", search);
      if (input.cursor) {
        const after = decodeTextKeyset(input.cursor);
        q = q.where(sql<boolean>`(name, id) > (${after.key}, ${after.id}::uuid)`);
      }
      const hits = await q.orderBy("name").orderBy("id").limit(input.limit + 1).execute();
      const page = textPageOf(hits, input.limit, (r) => ({ key: r.name, id: r.id }));
      return search ? { items: await projectsById(ctx.db, ctx.org.id, page.items.map((p) => p.id)), nextCursor: page.nextCursor } : page;
    }),

  bySlug: capabilityProcedure(orgView)
    .input(z.object({ slug: safeString().max(64) }))
    .query(async ({ ctx, input }) => {
      const project = await projectBySlug(ctx, ctx.org, input.slug);
      if (!project) throw new TRPCError({ code: "NOT_FOUND", message: "Project not found." });
      return project;
    }),

  create: capabilityProcedure(projectCreate)
    .meta({ mcp: { name: "create_project", description: "Create a project in an organization (orgId, slug: lower-case letters, digits and dashes; name; description optional). Returns its id, which the dashboard tools take as projectId. An organization holds at most 1,000 projects (archived ones count).", idempotent: false } })
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects", summary: "Create a project (409 when its slug is taken)", tags: ["projects"] } })
    .input(z.object({ slug: slugSchema, name: nameSchema, description: safeString().trim().max(500).default("") }))
    .output(createdProjectOutput)
    .mutation(async ({ ctx, input }) => {
      const project = await createProject(ctx.db, { ...input, orgId: ctx.org.id });
      await ctx.audit({ action: "project.create", target: { type: "project", id: project.id }, data: { slug: project.slug, name: project.name } });
      return project;
    }),

  update: projectCapabilityProcedure(projectUpdate)
    .meta({ mcp: { name: "update_project", description: "Rename a project or change its description (orgId, projectId, and name and/or description). The slug stays.", idempotent: true } })
    .meta({ openapi: { method: "PATCH", path: "/orgs/{orgId}/projects/{projectId}", summary: "Rename a project or change its description (the slug stays)", tags: ["projects"] } })
    .input(z.object({ name: nameSchema.optional(), description: safeString().trim().max(500).optional() }))
    .output(projectOutput)
    .mutation(async ({ ctx, input }) => {
      const changes = { name: input.name, description: input.description };
      if (changes.name === undefined && changes.description === undefined) throw fieldError("UNPROCESSABLE_CONTENT", "name", "Nothing to change.");
      const row = await ctx.db
        .updateTable("projects")
        .set({ ...changes, updated_at: new Date() })
        .where("id", "=", ctx.project.id)
        .returning(projectColumns)
        .executeTakeFirstOrThrow();
      await ctx.audit({ action: "project.update", target: { type: "project", id: row.id }, data: changes });
      return row;
    }),

  setArchived: projectCapabilityProcedure(projectUpdate)
    .meta({ mcp: { name: "archive_project", description: "Archive a project (archived: true) or bring it back (archived: false). An archived project keeps its dashboards but leaves the project list unless includeArchived is asked for.", idempotent: true } })
    .meta({ openapi: { method: "PUT", path: "/orgs/{orgId}/projects/{projectId}/archived", summary: "Archive a project (archived: true) or bring it back (false)", tags: ["projects"] } })
    .input(z.object({ archived: z.boolean() }))
    .output(z.object({ archived: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.updateTable("projects").set({ archived_at: input.archived ? new Date() : null, updated_at: new Date() }).where("id", "=", ctx.project.id).execute();
      await ctx.audit({ action: input.archived ? "project.archive" : "project.unarchive", target: { type: "project", id: ctx.project.id } });
      return { archived: input.archived };
    }),

  delete: projectCapabilityProcedure(projectManage)
    .input(z.object({ confirmSlug: safeString() }))
    .mutation(async ({ ctx, input }) => {
      const project = await ctx.db.selectFrom("projects").select("slug").where("id", "=", ctx.project.id).executeTakeFirstOrThrow();
      if (input.confirmSlug.trim().toLowerCase() !== project.slug) throw fieldError("UNPROCESSABLE_CONTENT", "confirmSlug", `Type "${project.slug}" to confirm.`);
      await ctx.db.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", ctx.project.id).execute();
      await ctx.audit({ action: "project.delete", target: { type: "project", id: ctx.project.id }, data: { slug: project.slug } });
      return { ok: true };
    }),

  roles: createTRPCRouter({
    list: projectCapabilityProcedure(projectManage)
      .meta({
        mcp: {
          name: "list_project_roles",
          description:
            "List the members whose role in one project differs from their organization role (orgId, projectId): user id, email, name and their role there; userIds (at most 200) asks about those people only. One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/roles", summary: "List the members whose role in this project differs from their organization role, a page at a time", tags: ["projects"] } })
      .input(z.object({ userIds: z.array(z.uuid()).max(PAGE_MAX).optional(), ...pageInput(100) }))
      .output(z.object({ items: z.array(projectRoleOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input }) => {
        // In the order of the primary key (project, person): a page is a range of it.
        let q = ctx.db
          .selectFrom("project_roles")
          .innerJoin("users", "users.id", "project_roles.user_id")
          .select(["users.id as userId", "users.email", "users.name", "project_roles.role"])
          .where("project_roles.project_id", "=", ctx.project.id);
        if (input.userIds) {
          if (input.userIds.length === 0) return { items: [], nextCursor: null };
          q = q.where("project_roles.user_id", "in", input.userIds);
        }
        if (input.cursor) q = q.where("project_roles.user_id", ">", decodeTextKeyset(input.cursor).id);
        const rows = await q.orderBy("project_roles.user_id").limit(input.limit + 1).execute();
        return textPageOf(rows, input.limit, (r) => ({ key: "", id: r.userId }));
      }),

    /** Sets (or with `role: null`, clears) a member's role in this project. */
    set: projectCapabilityProcedure(projectManage)
      .input(z.object({ userId: z.uuid(), role: roleSchema.nullable() }))
      .mutation(async ({ ctx, input }) => {
        const member = await ctx.db.selectFrom("memberships").select("role").where("org_id", "=", ctx.org.id).where("user_id", "=", input.userId).executeTakeFirst();
        if (!member) throw new TRPCError({ code: "NOT_FOUND", message: "That person is not a member of this organization." });
        // Owner is an org role, and an owner's or admin's rights in a project are only ever raised.
        const problem = input.role === null ? null : projectRoleProblem(member.role, input.role);
        if (problem) throw fieldError("UNPROCESSABLE_CONTENT", "role", problem);
        if (input.role === null) {
          await ctx.db.deleteFrom("project_roles").where("project_id", "=", ctx.project.id).where("user_id", "=", input.userId).execute();
        } else {
          await ctx.db
            .insertInto("project_roles")
            .values({ project_id: ctx.project.id, org_id: ctx.org.id, user_id: input.userId, role: input.role })
            .onConflict((oc) => oc.columns(["project_id", "user_id"]).doUpdateSet({ role: input.role! }))
            .execute();
        }
        await ctx.audit({ action: "project.role.set", target: { type: "project", id: ctx.project.id }, data: { userId: input.userId, role: input.role } });
        return { userId: input.userId, role: input.role };
      }),
  }),
});
