import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Identity tables, not tenant tables: they belong to the person, carry no org_id.
export async function up(db: Kysely<any>): Promise<void> {
  // A GitHub account (by its numeric id, which survives a rename) on one GitHub server
  // (github.com or an Enterprise Server), mapped onto one of our users.
  await db.schema
    .createTable("auth_github_identities")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("github_id", "text", (c) => c.notNull())
    .addColumn("login", "text", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("email", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addUniqueConstraint("auth_github_identities_host_id", ["host", "github_id"])
    .execute();
  await db.schema.createIndex("auth_github_identities_user_idx").on("auth_github_identities").column("user_id").execute();

  // A sign-in in flight: only the SHA-256 of the state is stored; single use, 10 minutes.
  await db.schema
    .createTable("auth_github_flows")
    .addColumn("state_hash", "text", (c) => c.primaryKey())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("next", "text", (c) => c.notNull())
    .addColumn("link_user_id", "uuid", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("auth_github_flows").execute();
  await db.schema.dropTable("auth_github_identities").execute();
}
