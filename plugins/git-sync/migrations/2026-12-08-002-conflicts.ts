import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_repositories.conflicts: the dashboard files the last sync did not apply because the
//   dashboard was also changed in Atrium since its last import (path, slug, message, commit).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("git_sync_repositories")
    .addColumn("conflicts", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("git_sync_repositories").dropColumn("conflicts").execute();
}
