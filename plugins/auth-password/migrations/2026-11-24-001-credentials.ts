import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Identity tables, not tenant tables: a person's password and their one-time links belong to
// the person, not to an org, so they carry no org_id and need no row-level security policy.
export async function up(db: Kysely<any>): Promise<void> {
  // One password per person (argon2id, PHC string). A person signed up through another
  // provider simply has no row here.
  await db.schema
    .createTable("auth_password_credentials")
    .addColumn("user_id", "uuid", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Single-use links sent by mail: verify an address, reset a password. Only the SHA-256 of
  // the token is stored, so a database leak yields no usable link.
  await db.schema
    .createTable("auth_password_tokens")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('verify', 'reset')`))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("auth_password_tokens_user_idx").on("auth_password_tokens").columns(["user_id", "kind"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("auth_password_tokens").execute();
  await db.schema.dropTable("auth_password_credentials").execute();
}
