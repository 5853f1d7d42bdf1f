import type { Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_github_grants gains what an expiring GitHub App user token comes with:
//   refresh_token       the refresh token, encrypted at rest bound to the person as the token is
//                       (null: GitHub issued a token that does not expire)
//   expires_at          when the user token expires (null: it does not)
//   refresh_expires_at  when the refresh token expires (null: not said)
// A grant is refreshed shortly before expires_at (and once after GitHub answers 401 to it); a
// refresh GitHub refuses deletes the row and the person authorizes again.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("git_sync_github_grants")
    .addColumn("refresh_token", "text")
    .addColumn("expires_at", "timestamptz")
    .addColumn("refresh_expires_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("git_sync_github_grants").dropColumn("refresh_expires_at").dropColumn("expires_at").dropColumn("refresh_token").execute();
}
