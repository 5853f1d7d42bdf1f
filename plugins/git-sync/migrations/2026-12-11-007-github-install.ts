import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_github_states: one GitHub App install flow started from a project's Git page: the
//   state's SHA-256 (never the state), the person and project it is bound to, where to send them
//   back, and its expiry (ten minutes). Single use: the callback deletes it as it reads it. A
//   person's own row (no org_id): the callback reads it by state and person before any org is
//   known, as sign-in's flows.
// git_sync_github_installations: the installations a person's own GitHub authorization was
//   checked to reach at the install callback (the Git page offers them in its picker; connecting
//   checks again).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("git_sync_github_states")
    .addColumn("state_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("return_to", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index git_sync_github_states_user_idx on git_sync_github_states (user_id, project_id)`.execute(db);
  await sql`create index git_sync_github_states_expiry_idx on git_sync_github_states (expires_at)`.execute(db);
  await db.schema
    .createTable("git_sync_github_installations")
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("installation_id", "bigint", (c) => c.notNull())
    .addColumn("account", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("git_sync_github_installations_pkey", ["user_id", "installation_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_github_installations").execute();
  await db.schema.dropTable("git_sync_github_states").execute();
}
