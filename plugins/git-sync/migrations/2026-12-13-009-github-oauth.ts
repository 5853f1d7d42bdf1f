import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_repositories.auth_kind gains `github_oauth`: the repository is reached with the GitHub
//   OAuth grant of the person who connected it (github_oauth_user_id; nothing stored on the
//   connection but who). The person's deletion leaves the column null: operations then answer
//   that someone must connect again.
// git_sync_github_oauth_grants: a person's GitHub OAuth token from the operator's OAuth App
//   (encrypted at rest, bound to the person), the scopes GitHub granted and their login. A
//   person's own row (no org_id, no row-level security), as git_sync_github_grants.
// git_sync_github_oauth_states: one OAuth authorization started from a project's Git page: the
//   state's SHA-256 (never the state), the person and project it is bound to, the scope asked
//   for, where to send them back and its expiry (ten minutes). Single use.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table git_sync_repositories drop constraint if exists git_sync_repositories_auth_kind_check`.execute(db);
  await sql`alter table git_sync_repositories add constraint git_sync_repositories_auth_kind_check check (auth_kind in ('token', 'github_app', 'github_oauth'))`.execute(db);
  await db.schema
    .alterTable("git_sync_repositories")
    .addColumn("github_oauth_user_id", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .execute();
  await sql`alter table git_sync_repositories add constraint git_sync_repositories_oauth_check check (github_oauth_user_id is null or auth_kind = 'github_oauth')`.execute(db);
  await db.schema
    .createTable("git_sync_github_oauth_grants")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("login", "text")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable("git_sync_github_oauth_states")
    .addColumn("state_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("return_to", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index git_sync_github_oauth_states_user_idx on git_sync_github_oauth_states (user_id, project_id)`.execute(db);
  await sql`create index git_sync_github_oauth_states_expiry_idx on git_sync_github_oauth_states (expires_at)`.execute(db);
  await sql`create index git_sync_repositories_oauth_user_idx on git_sync_repositories (github_oauth_user_id) where github_oauth_user_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_github_oauth_states").execute();
  await db.schema.dropTable("git_sync_github_oauth_grants").execute();
  await sql`delete from git_sync_repositories where auth_kind = 'github_oauth'`.execute(db);
  await sql`alter table git_sync_repositories drop constraint git_sync_repositories_oauth_check`.execute(db);
  await db.schema.alterTable("git_sync_repositories").dropColumn("github_oauth_user_id").execute();
  await sql`alter table git_sync_repositories drop constraint git_sync_repositories_auth_kind_check`.execute(db);
  await sql`alter table git_sync_repositories add constraint git_sync_repositories_auth_kind_check check (auth_kind in ('token', 'github_app'))`.execute(db);
}
