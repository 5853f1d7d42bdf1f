import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_repositories.auth_kind: how git sync reaches the repository: `token` (a pasted token,
//   encrypted in `credential`, or none for a plain remote) or `github_app` (an installation token
//   minted per operation for `github_installation_id`; nothing stored but the id).
// git_sync_github_grants: a person's GitHub user token from the GitHub App's authorization
//   (encrypted at rest, bound to the person), used only to check that an installation id they
//   bring is one their GitHub account reaches (ADR 035). A person's own row, not an org's: no
//   org_id, no row-level security (as auth-password's credentials).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("git_sync_repositories")
    .addColumn("auth_kind", "text", (c) => c.notNull().defaultTo("token").check(sql`auth_kind in ('token', 'github_app')`))
    .addColumn("github_installation_id", "bigint")
    .execute();
  await sql`alter table git_sync_repositories add constraint git_sync_repositories_installation_check check ((auth_kind = 'github_app') = (github_installation_id is not null))`.execute(db);
  await db.schema
    .createTable("git_sync_github_grants")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_github_grants").execute();
  await sql`alter table git_sync_repositories drop constraint git_sync_repositories_installation_check`.execute(db);
  await db.schema.alterTable("git_sync_repositories").dropColumn("github_installation_id").dropColumn("auth_kind").execute();
}
