/**
 * The procedure builder's guards as a plugin uses them: several capabilities at once, a project
 * that may be absent, the projects where a caller holds a capability, and owners and admins
 * never locked out of a project by an override (ADR 020).
 */
import { TRPCError } from "@trpc/server";
import type { QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { describe, expect, test } from "vitest";
import type { Role } from "~/kernel/db/schema";
import { orgDelete, orgView, projectManage, projectUpdate } from "~/kernel/tenancy/capabilities";
import { effectiveProjectRole, projectRoleProblem } from "~/kernel/tenancy/roles";
import {
  accessProblems,
  capabilityProcedure,
  createCallerFactory,
  createTRPCRouter,
  optionalProjectCapabilityProcedure,
  projectCanCondition,
  projectCapabilityProcedure,
  projectsWhereCan,
  proceduresOf,
  type Actor,
} from "~/kernel/trpc";
import { useTestKernel } from "../setup/kernel";
import { asUser, contextFor, createOrg, createUser, unique } from "../setup/fixtures";

const router = createTRPCRouter({
  // owner and admin hold project.manage; only the owner holds org.delete.
  orgBoth: capabilityProcedure(orgView, projectManage).query(({ ctx }) => ({ role: ctx.org.role })),
  orgOwnerOnly: capabilityProcedure(projectManage, orgDelete).query(() => "ok"),
  // project.update: owner, admin, editor; project.manage: owner, admin.
  projectBoth: projectCapabilityProcedure(projectUpdate, projectManage).query(({ ctx }) => ({ org: ctx.org, project: ctx.project })),
  projectUpdate: projectCapabilityProcedure(projectUpdate).mutation(({ ctx }) => ({ role: ctx.project.role })),
  maybeProject: optionalProjectCapabilityProcedure(projectUpdate).query(({ ctx }) => ({ role: ctx.role, org: ctx.org, project: ctx.project })),
  where: capabilityProcedure(orgView).query(async ({ ctx }) => ({
    update: (await projectsWhereCan(ctx, projectUpdate)).map((p) => `${p.slug}:${p.role}`),
    both: (await projectsWhereCan(ctx, [projectUpdate, projectManage])).map((p) => p.slug),
    unarchived: (await projectsWhereCan(ctx, projectUpdate, { includeArchived: false })).map((p) => p.slug),
  })),
  // The same question asked row by row, as a condition on a project id column (aliased `p`,
  // as a caller's own query may name its projects).
  whereRowByRow: capabilityProcedure(orgView).query(async ({ ctx }) => {
    const slugs = async (condition: ReturnType<typeof projectCanCondition>) =>
      (await ctx.db.selectFrom("projects as p").select("p.slug").where("p.org_id", "=", ctx.org.id).where(condition).execute()).map((r) => r.slug).sort();
    return { update: await slugs(projectCanCondition(ctx, projectUpdate, "p.id")), both: await slugs(projectCanCondition(ctx, [projectUpdate, projectManage], "p.id")) };
  }),
});
const createCaller = createCallerFactory(router);

const booted = useTestKernel();

function as(userId: string) {
  const { kernel } = booted;
  const actor: Actor = { kind: "user", userId };
  return createCaller(contextFor(kernel, actor));
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCError) return err.message;
    throw err;
  }
  throw new Error("expected a failure");
}

async function project(orgId: string, slug = unique("p"), extra: { archived?: boolean; deleted?: boolean } = {}) {
  const { kernel } = booted;
  return kernel.ownerDb
    .insertInto("projects")
    .values({ org_id: orgId, slug, name: slug, archived_at: extra.archived ? new Date() : null, deleted_at: extra.deleted ? new Date() : null })
    .returning(["id", "slug"])
    .executeTakeFirstOrThrow();
}

async function override(orgId: string, projectId: string, userId: string, role: Role) {
  const { kernel } = booted;
  await kernel.ownerDb.insertInto("project_roles").values({ org_id: orgId, project_id: projectId, user_id: userId, role }).execute();
}

/** An org with one member per role, and one project. */
async function world() {
  const { kernel } = booted;
  const people = {} as Record<Role, { id: string }>;
  for (const role of ["owner", "admin", "editor", "viewer"] as const) people[role] = await createUser(kernel, role);
  const org = await createOrg(
    kernel,
    (Object.entries(people) as Array<[Role, { id: string }]>).map(([role, u]) => ({ userId: u.id, role })),
  );
  const p = await project(org.id, unique("main"));
  return { org, people, project: p, at: { orgId: org.id, projectId: p.id } };
}

describe("several capabilities", () => {
  test("a member needs every one; the 403 names the first one missing", async () => {
    const { kernel } = booted;
    const w = await world();
    expect(await as(w.people.admin.id).orgBoth({ orgId: w.org.id })).toEqual({ role: "admin" });
    expect(await codeOf(as(w.people.editor.id).orgBoth({ orgId: w.org.id }))).toBe("FORBIDDEN");
    expect(await messageOf(as(w.people.editor.id).orgBoth({ orgId: w.org.id }))).toMatch(/Delete projects and set project-level roles/);
    expect(await codeOf(as(w.people.owner.id).orgOwnerOnly({ orgId: w.org.id }))).toBe("ok");
    expect(await messageOf(as(w.people.admin.id).orgOwnerOnly({ orgId: w.org.id }))).toMatch(/Delete the organization or transfer its ownership/);
    const outsider = await createUser(kernel);
    expect(await codeOf(as(outsider.id).orgBoth({ orgId: w.org.id }))).toBe("NOT_FOUND");
  });

  test("in a project, the project role must hold all of them", async () => {
    const w = await world();
    expect(await as(w.people.admin.id).projectBoth(w.at)).toEqual({ org: { id: w.org.id, role: "admin" }, project: { id: w.project.id, role: "admin" } });
    expect(await codeOf(as(w.people.editor.id).projectBoth(w.at))).toBe("FORBIDDEN");
    await override(w.org.id, w.project.id, w.people.editor.id, "admin");
    expect(await as(w.people.editor.id).projectBoth(w.at)).toEqual({ org: { id: w.org.id, role: "editor" }, project: { id: w.project.id, role: "admin" } });
  });

  test("the metadata lists every capability, and the boot check refuses any that is not declared", () => {
    const meta = proceduresOf(router).find((p) => p.path === "projectBoth")!.meta;
    expect(meta.capability).toBe("project.update");
    expect(meta.capabilities).toEqual(["project.update", "project.manage"]);
    const declared = new Set(["org.view", "project.update"]);
    expect(accessProblems(createTRPCRouter({ projectBoth: router.projectBoth }), (id) => declared.has(id))).toEqual([
      'projectBoth: capability "project.manage" is not declared by any installed plugin',
    ]);
  });
});

describe("an optional project", () => {
  test("without a project the org role decides; with one, the project role", async () => {
    const w = await world();
    const viewer = as(w.people.viewer.id);
    expect(await codeOf(viewer.maybeProject({ orgId: w.org.id }))).toBe("FORBIDDEN");
    expect(await codeOf(viewer.maybeProject({ orgId: w.org.id, projectId: null }))).toBe("FORBIDDEN");
    expect(await codeOf(viewer.maybeProject(w.at))).toBe("FORBIDDEN");
    await override(w.org.id, w.project.id, w.people.viewer.id, "editor");
    expect(await viewer.maybeProject(w.at)).toEqual({ role: "editor", org: { id: w.org.id, role: "viewer" }, project: { id: w.project.id, role: "editor" } });
    expect(await codeOf(viewer.maybeProject({ orgId: w.org.id }))).toBe("FORBIDDEN");

    const editor = as(w.people.editor.id);
    expect(await editor.maybeProject({ orgId: w.org.id })).toEqual({ role: "editor", org: { id: w.org.id, role: "editor" }, project: null });
    await override(w.org.id, w.project.id, w.people.editor.id, "viewer");
    expect(await codeOf(editor.maybeProject(w.at))).toBe("FORBIDDEN");
  });

  test("a project the caller may not see is 404, like a made-up one", async () => {
    const w = await world();
    const other = await world();
    const deleted = await project(w.org.id, unique("gone"), { deleted: true });
    const owner = as(w.people.owner.id);
    expect(await codeOf(owner.maybeProject({ orgId: w.org.id, projectId: other.project.id }))).toBe("NOT_FOUND");
    expect(await codeOf(owner.maybeProject({ orgId: w.org.id, projectId: deleted.id }))).toBe("NOT_FOUND");
    expect(await codeOf(owner.maybeProject({ orgId: w.org.id, projectId: crypto.randomUUID() }))).toBe("NOT_FOUND");
    expect(await codeOf(as(other.people.owner.id).maybeProject(w.at))).toBe("NOT_FOUND");
    expect(await codeOf(owner.maybeProject({ orgId: w.org.id, projectId: "not-a-uuid" }))).toBe("UNPROCESSABLE_CONTENT");
  });
});

describe("projectsWhereCan", () => {
  test("lists live projects where the project role holds the capabilities, overrides and archived state included", async () => {
    const w = await world();
    const [alpha, beta, gamma] = [await project(w.org.id, unique("alpha")), await project(w.org.id, unique("beta")), await project(w.org.id, unique("gamma"), { archived: true })];
    await project(w.org.id, unique("deleted"), { deleted: true });
    await project((await world()).org.id, unique("elsewhere"));
    // The viewer is raised in alpha; the editor lowered in beta.
    await override(w.org.id, alpha.id, w.people.viewer.id, "editor");
    await override(w.org.id, beta.id, w.people.editor.id, "viewer");
    const all = [w.project.slug, alpha.slug, beta.slug, gamma.slug].sort();

    const forViewer = await as(w.people.viewer.id).where({ orgId: w.org.id });
    expect(forViewer).toEqual({ update: [`${alpha.slug}:editor`], both: [], unarchived: [alpha.slug] });

    const forEditor = await as(w.people.editor.id).where({ orgId: w.org.id });
    expect(forEditor.update.map((s) => s.split(":")[0]).sort()).toEqual(all.filter((s) => s !== beta.slug));
    expect(forEditor.both).toEqual([]);
    expect(forEditor.unarchived.sort()).toEqual([w.project.slug, alpha.slug].sort());

    const forOwner = await as(w.people.owner.id).where({ orgId: w.org.id });
    expect(forOwner.both.sort()).toEqual(all);
    expect(forOwner.update.every((s) => s.endsWith(":owner"))).toBe(true);

    // Asked row by row (projectCanCondition), the answer is the same projects for everyone.
    for (const [person, listed] of [
      [w.people.viewer, forViewer],
      [w.people.editor, forEditor],
      [w.people.owner, forOwner],
      [w.people.admin, await as(w.people.admin.id).where({ orgId: w.org.id })],
    ] as const) {
      expect(await as(person.id).whereRowByRow({ orgId: w.org.id })).toEqual({ update: listed.update.map((s) => s.split(":")[0]).sort(), both: [...listed.both].sort() });
    }
  });

  test("runs one query, whatever the number of projects", async () => {
    const { kernel } = booted;
    const w = await world();
    for (let i = 0; i < 5; i++) await project(w.org.id);
    const statements: string[] = [];
    const counting = { transformQuery: (a: { node: RootOperationNode }) => (statements.push(a.node.kind), a.node), transformResult: async (a: { result: QueryResult<UnknownRow> }) => a.result };
    const found = await kernel.withScope({ userId: w.people.editor.id, orgId: w.org.id }, (trx) =>
      projectsWhereCan({ kernel, db: trx.withPlugin(counting), actor: { userId: w.people.editor.id }, org: { id: w.org.id, role: "editor" } }, projectUpdate),
    );
    expect(found).toHaveLength(6);
    expect(statements).toEqual(["SelectQueryNode"]);
  });
});

describe("owners and admins are never locked out of a project", () => {
  test("a project admin cannot set the owner (or an org admin) to viewer: 422 on role", async () => {
    const { kernel } = booted;
    const w = await world();
    // The editor runs this project.
    await override(w.org.id, w.project.id, w.people.editor.id, "admin");
    const projectAdmin = asUser(kernel, w.people.editor.id);
    for (const target of [w.people.owner, w.people.admin]) {
      for (const role of ["viewer", "editor"] as const) {
        const refused = await projectAdmin.projects.roles.set({ ...w.at, userId: target.id, role }).then(
          () => null,
          (e: unknown) => e as TRPCError,
        );
        expect(refused?.code).toBe("UNPROCESSABLE_CONTENT");
        expect((refused?.cause as { fields?: Record<string, string[]> } | undefined)?.fields?.role?.[0]).toMatch(/keeps at least (owner|admin) rights in every project/);
      }
    }
    // Nothing was written: the owner and the admin still have every right in the project.
    const rows = await kernel.ownerDb.selectFrom("project_roles").select("user_id").where("project_id", "=", w.project.id).execute();
    expect(rows.map((r) => r.user_id)).toEqual([w.people.editor.id]);
    expect((await asUser(kernel, w.people.owner.id).projects.update({ ...w.at, name: "Still mine" })).name).toBe("Still mine");
    // Raising and lowering editors and viewers works as before; an admin override on an admin is harmless.
    await projectAdmin.projects.roles.set({ ...w.at, userId: w.people.viewer.id, role: "editor" });
    await asUser(kernel, w.people.owner.id).projects.roles.set({ ...w.at, userId: w.people.admin.id, role: "admin" });
  });

  test("an override that lowers an owner or admin (written before this rule) is ignored: they keep their org rights", async () => {
    const { kernel } = booted;
    const w = await world();
    await override(w.org.id, w.project.id, w.people.owner.id, "viewer");
    await override(w.org.id, w.project.id, w.people.admin.id, "viewer");
    const owner = asUser(kernel, w.people.owner.id);
    expect((await owner.projects.update({ ...w.at, name: "Owner's project" })).name).toBe("Owner's project");
    expect((await owner.projects.roles.list(w.at)).items).toHaveLength(2);
    expect((await owner.projects.bySlug({ orgId: w.org.id, slug: w.project.slug })).role).toBe("owner");
    const admin = asUser(kernel, w.people.admin.id);
    expect((await admin.projects.bySlug({ orgId: w.org.id, slug: w.project.slug })).role).toBe("admin");
    expect((await admin.projects.roles.list(w.at)).items).toHaveLength(2);
    // The owner can clear the stale override.
    await owner.projects.roles.set({ ...w.at, userId: w.people.owner.id, role: null });
  });

  test("the rule, role by role", () => {
    expect(effectiveProjectRole("owner", "viewer")).toBe("owner");
    expect(effectiveProjectRole("admin", "editor")).toBe("admin");
    expect(effectiveProjectRole("admin", null)).toBe("admin");
    expect(effectiveProjectRole("editor", "viewer")).toBe("viewer");
    expect(effectiveProjectRole("editor", "admin")).toBe("admin");
    expect(effectiveProjectRole("viewer", "editor")).toBe("editor");
    expect(effectiveProjectRole("viewer", undefined)).toBe("viewer");
    expect(projectRoleProblem("owner", "admin")).toMatch(/owner/);
    expect(projectRoleProblem("admin", "viewer")).toMatch(/admin/);
    expect(projectRoleProblem("admin", "admin")).toBeNull();
    expect(projectRoleProblem("editor", "viewer")).toBeNull();
    expect(projectRoleProblem("viewer", "admin")).toBeNull();
    expect(projectRoleProblem("viewer", "owner")).toMatch(/Owner is an organization role/);
  });
});
