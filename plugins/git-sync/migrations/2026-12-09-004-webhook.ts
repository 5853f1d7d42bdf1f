import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// git_sync_repositories.webhook_secret: the push webhook's signing secret, encrypted at rest
//   (null: no webhook set up).
// git_sync_deliveries: each webhook delivery accepted (GitHub's delivery id and a digest of its
//   signature), so a replayed delivery (same id, or the same signed body under a new id) is
//   refused. Kept a week. Tenant table: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("git_sync_repositories").addColumn("webhook_secret", "text").execute();
  await db.schema
    .createTable("git_sync_deliveries")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("delivery_id", "text", (c) => c.notNull())
    .addColumn("signature_digest", "text", (c) => c.notNull())
    .addColumn("received_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("git_sync_deliveries_pkey", ["project_id", "delivery_id"])
    .addUniqueConstraint("git_sync_deliveries_signature_key", ["project_id", "signature_digest"])
    .execute();
  await sql`create index git_sync_deliveries_received_idx on git_sync_deliveries (project_id, received_at)`.execute(db);
  await sql`alter table git_sync_deliveries enable row level security`.execute(db);
  await sql`create policy tenant_isolation on git_sync_deliveries using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("git_sync_deliveries").execute();
  await db.schema.alterTable("git_sync_repositories").dropColumn("webhook_secret").execute();
}
