import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Members and invitations are listed a page at a time (keyset paging, src/kernel/paging.ts):
// each list's sort gets an index that starts with the org, so a page costs the same in an org
// of ten members and in one of ten thousand.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index memberships_org_joined_idx on memberships (org_id, created_at, user_id)`.execute(db);
  await sql`create index invitations_org_created_idx on invitations (org_id, created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists invitations_org_created_idx`.execute(db);
  await sql`drop index if exists memberships_org_joined_idx`.execute(db);
}
