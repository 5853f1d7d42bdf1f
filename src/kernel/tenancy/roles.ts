/**
 * Tenancy lookups the procedure builders need: a user's role in an org.
 * Deleted orgs have no members as far as authorization is concerned.
 */
import type { Kysely } from "kysely";
import type { Db } from "./db/database";
import type { KernelDatabase, Role } from "./db/schema";

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
}
