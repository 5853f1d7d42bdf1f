import type { Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_branches.pull_request_url: the GitHub pull request last opened (or found open) from
//   the work branch into the trunk, shown on the Git page (null: none opened from Atrium).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("git_sync_branches").addColumn("pull_request_url", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("git_sync_branches").dropColumn("pull_request_url").execute();
}
