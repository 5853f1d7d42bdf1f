/**
 * Tenancy lookups the procedure builders need: a user's role in an org, and in a project
 * (a project-level override, else the org role), and the projects where a role allows
 * something. Deleted orgs and projects have no members as far as authorization is concerned.
 *
 * Owners and admins are never locked out of a project: their project role is at least their
 * org role, whatever override says (`effectiveProjectRole`). An override may raise an editor
 * or a viewer, or lower them, but only raise an owner or an admin (ADR 020).
 */
import { sql, type Expression, type Kysely, type SqlBool } from "kysely";
import type { Db } from "../db/database";
import type { KernelDatabase, Role } from "../db/schema";
import type { AuthCache } from "../auth/cache";

/** Roles from the most to the least rights (every default grant follows this order). */
const RANK: Record<Role, number> = { owner: 4, admin: 3, editor: 2, viewer: 1 };

/** Org roles a project override can only raise, never lower. */
const PROTECTED_ORG_ROLES: ReadonlySet<Role> = new Set<Role>(["owner", "admin"]);

/** Which override values give a role that `allows` (and whether no override does): the filter then runs in SQL. */
function overridesAllowing(orgRole: Role, allows: (role: Role) => boolean): { overrides: Role[]; withoutOverride: boolean } {
  return { overrides: (Object.keys(RANK) as Role[]).filter((o) => allows(effectiveProjectRole(orgRole, o))), withoutOverride: allows(orgRole) };
}

/**
 * The role a member has in one project: the override when there is one, else the org role;
 * but an org owner or admin keeps at least their org role (the higher of the two wins), so a
 * project admin cannot take the project away from the people who run the org.
 */
export function effectiveProjectRole(orgRole: Role, override: Role | null | undefined): Role {
  if (!override) return orgRole;
  if (PROTECTED_ORG_ROLES.has(orgRole)) return RANK[override] > RANK[orgRole] ? override : orgRole;
  return override;
}

/**
 * Why a project override of `role` for a member whose org role is `orgRole` is refused, or
 * null when it is allowed. Owner is an org role; an owner's or admin's rights are only raised.
 */
export function projectRoleProblem(orgRole: Role, role: Role): string | null {
  if (role === "owner") return "Owner is an organization role; choose admin, editor or viewer.";
  if (PROTECTED_ORG_ROLES.has(orgRole) && RANK[role] < RANK[orgRole]) {
    return `This person is an ${orgRole} of the organization and keeps at least ${orgRole} rights in every project; a project role can raise someone's rights, not lower an ${orgRole}'s.`;
  }
  return null;
}

/** A project where the caller holds what was asked, with their role there. */
export interface ProjectWithRole {
  id: string;
  slug: string;
  name: string;
  archivedAt: Date | null;
  role: Role;
}

export class Tenancy {
  constructor(
    private readonly db: Db,
    private readonly cache?: AuthCache,
  ) {}

  /**
   * `roleOf` answered from the instance's cache when it can (src/kernel/auth/cache.ts). Only for
   * a transaction that has written nothing yet (the org guard's start): a role read after a
   * write in the same transaction might never be committed.
   */
  async memberRoleOf(userId: string, orgId: string, db: Kysely<KernelDatabase>): Promise<Role | null> {
    if (!this.cache) return this.roleOf(userId, orgId, db);
    return this.cache.get(`role:${orgId}:${userId}`, () => this.roleOf(userId, orgId, db), () => [`m:${orgId}:${userId}`, `o:${orgId}`]);
  }

  /**
   * `projectRoleOf` for a member whose org role is known, answered from the instance's cache
   * when it can: the project's override (none included) is kept per (org, person, project) and
   * dropped when the person's project roles, membership, the org, or the org's projects change
   * (`r:`, `m:`, `o:`, `j:`). Same rule as `memberRoleOf`: only before the transaction writes.
   */
  async memberProjectRoleOf(userId: string, orgId: string, projectId: string, db: Kysely<KernelDatabase>, orgRole: Role): Promise<Role | null> {
    if (!this.cache) return this.projectRoleOf(userId, orgId, projectId, db, orgRole);
    const found = await this.cache.get(
      `project-role:${orgId}:${userId}:${projectId}`,
      () => this.projectOverride(userId, orgId, projectId, db),
      () => [`r:${orgId}:${userId}`, `m:${orgId}:${userId}`, `o:${orgId}`, `j:${orgId}`],
    );
    return found ? effectiveProjectRole(orgRole, found.override) : null;
  }

  /** A live project of the org and the person's override there (null: none), or null when there is no such project. */
  private async projectOverride(userId: string, orgId: string, projectId: string, db: Kysely<KernelDatabase>): Promise<{ override: Role | null } | null> {
    const project = await db
      .selectFrom("projects")
      .leftJoin("project_roles", (j) => j.onRef("project_roles.project_id", "=", "projects.id").on("project_roles.user_id", "=", userId))
      .select(["projects.id", "project_roles.role"])
      .where("projects.id", "=", projectId)
      .where("projects.org_id", "=", orgId)
      .where("projects.deleted_at", "is", null)
      .executeTakeFirst();
    return project ? { override: project.role ?? null } : null;
  }

  /** The user's role in the org, or null when not a member or the org is deleted. */
  async roleOf(userId: string, orgId: string, db: Kysely<KernelDatabase> = this.db): Promise<Role | null> {
    const row = await db
      .selectFrom("memberships")
      .innerJoin("orgs", "orgs.id", "memberships.org_id")
      .select("memberships.role")
      .where("memberships.user_id", "=", userId)
      .where("memberships.org_id", "=", orgId)
      .where("orgs.deleted_at", "is", null)
      .executeTakeFirst();
    return row?.role ?? null;
  }

  /**
   * The user's role in a project of an org (`effectiveProjectRole`). Null when not an org
   * member, or the project is not in that org or is deleted. Archived projects keep their
   * members. Must run with app.org_id set to `orgId` (projects are tenant rows).
   */
  async projectRoleOf(
    userId: string,
    orgId: string,
    projectId: string,
    db: Kysely<KernelDatabase>,
    knownOrgRole?: Role | null,
  ): Promise<Role | null> {
    const orgRole = knownOrgRole === undefined ? await this.roleOf(userId, orgId, db) : knownOrgRole;
    if (!orgRole) return null;
    const project = await this.projectOverride(userId, orgId, projectId, db);
    return project ? effectiveProjectRole(orgRole, project.override) : null;
  }

  /**
   * The live projects of an org where the member's project role satisfies `allows`, in one
   * query, by name. Archived projects are included unless `includeArchived` is false (they
   * stay readable, as the project guard treats them). Must run with app.org_id set to `orgId`.
   */
  async projectsWhere(
    db: Kysely<KernelDatabase>,
    member: { userId: string; orgId: string; orgRole: Role },
    allows: (role: Role) => boolean,
    options: { includeArchived?: boolean } = {},
  ): Promise<ProjectWithRole[]> {
    const { overrides, withoutOverride } = overridesAllowing(member.orgRole, allows);
    if (!overrides.length && !withoutOverride) return [];
    let query = db
      .selectFrom("projects as p")
      .leftJoin("project_roles as r", (j) => j.onRef("r.project_id", "=", "p.id").on("r.user_id", "=", member.userId))
      .select(["p.id", "p.slug", "p.name", "p.archived_at", "r.role"])
      .where("p.org_id", "=", member.orgId)
      .where("p.deleted_at", "is", null)
      .where((eb) => {
        const allowed = [];
        if (overrides.length) allowed.push(eb("r.role", "in", overrides));
        if (withoutOverride) allowed.push(eb("r.role", "is", null));
        return eb.or(allowed);
      });
    if (options.includeArchived === false) query = query.where("p.archived_at", "is", null);
    const rows = await query.orderBy("p.name").orderBy("p.id").execute();
    return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, archivedAt: r.archived_at, role: effectiveProjectRole(member.orgRole, r.role) }));
  }

  /**
   * The same projects as `projectsWhere`, as a condition on a project id column (`n.project_id`)
   * checked row by row: a primary-key lookup of the project and of the member's override per
   * row. For queries that walk their own rows in their own order (a person's notifications),
   * whose cost then does not grow with the org's projects. Must run with app.org_id set to `orgId`.
   */
  projectAllows(member: { userId: string; orgId: string; orgRole: Role }, allows: (role: Role) => boolean, projectIdColumn: string): Expression<SqlBool> {
    const { overrides, withoutOverride } = overridesAllowing(member.orgRole, allows);
    if (!overrides.length && !withoutOverride) return sql<SqlBool>`false`;
    // Aliases of their own: the caller's column may itself be a project's (`p.id`).
    const roles = [
      ...(overrides.length ? [sql`allowed_role.role in (${sql.join(overrides)})`] : []),
      ...(withoutOverride ? [sql`allowed_role.role is null`] : []),
    ];
    return sql<SqlBool>`exists (
      select from projects allowed_project
      left join project_roles allowed_role on allowed_role.project_id = allowed_project.id and allowed_role.user_id = ${member.userId}::uuid
      where allowed_project.id = ${sql.ref(projectIdColumn)} and allowed_project.org_id = ${member.orgId}::uuid and allowed_project.deleted_at is null
        and (${sql.join(roles, sql` or `)}))`;
  }
}
