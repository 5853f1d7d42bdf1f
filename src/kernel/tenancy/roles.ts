/**
 * Tenancy lookups the procedure builders need: a user's role in an org, and in a project
 * (a project-level override, else the org role). Deleted orgs and projects have no members
 * as far as authorization is concerned.
 */
import type { Kysely } from "kysely";
import type { Db } from "../db/database";
import type { KernelDatabase, Role } from "../db/schema";

export class Tenancy {
  constructor(private readonly db: Db) {}

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
   * The user's role in a project of an org: the project override if any, else the org role.
   * Null when not an org member, or the project is not in that org or is deleted.
   * Must run with app.org_id set to `orgId` (projects are tenant rows).
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
    const project = await db
      .selectFrom("projects")
      .leftJoin("project_roles", (j) => j.onRef("project_roles.project_id", "=", "projects.id").on("project_roles.user_id", "=", userId))
      .select(["projects.id", "project_roles.role"])
      .where("projects.id", "=", projectId)
      .where("projects.org_id", "=", orgId)
      .where("projects.deleted_at", "is", null)
      .executeTakeFirst();
    if (!project) return null;
    return project.role ?? orgRole;
  }
}
