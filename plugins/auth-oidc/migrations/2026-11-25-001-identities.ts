import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Identity tables, not tenant tables: they belong to the person, carry no org_id.
export async function up(db: Kysely<any>): Promise<void> {
  // A provider's subject mapped onto one of our users.
  await db.schema
    .createTable("auth_oidc_identities")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("email", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addUniqueConstraint("auth_oidc_identities_provider_subject", ["provider", "subject"])
    .execute();
  await db.schema.createIndex("auth_oidc_identities_user_idx").on("auth_oidc_identities").column("user_id").execute();

  // A sign-in in flight: only the SHA-256 of the state is stored; single use, 10 minutes.
  await db.schema
    .createTable("auth_oidc_flows")
    .addColumn("state_hash", "text", (c) => c.primaryKey())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("code_verifier", "text", (c) => c.notNull())
    .addColumn("nonce", "text", (c) => c.notNull())
    .addColumn("next", "text", (c) => c.notNull())
    .addColumn("link_user_id", "uuid", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("auth_oidc_flows").execute();
  await db.schema.dropTable("auth_oidc_identities").execute();
}
