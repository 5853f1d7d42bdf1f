import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Signed embeds' views, counted like public links' views.
// sharing_embed_stats: per dashboard, how many times its embeds were viewed and when last.
// sharing_embed_views: one row per view (time, the key that signed the token, a keyed hash of
// the address, the variables it ran with).
// Tenant tables with row-level security on app.org_id (the embed data route runs under the
// token's org, set from its key).
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sharing_embed_stats")
    .addColumn("dashboard_id", "uuid", (c) => c.primaryKey().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("view_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_viewed_at", "timestamptz")
    .execute();

  await db.schema
    .createTable("sharing_embed_views")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("key_id", "uuid", (c) => c.references("sharing_embed_secrets.id").onDelete("set null"))
    .addColumn("viewed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("ip_hash", "text")
    .addColumn("variables", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await sql`create index sharing_embed_views_dashboard_idx on sharing_embed_views (dashboard_id, viewed_at desc)`.execute(db);
  await sql`create index sharing_embed_views_key_idx on sharing_embed_views (key_id)`.execute(db);

  for (const table of ["sharing_embed_stats", "sharing_embed_views"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sharing_embed_views").execute();
  await db.schema.dropTable("sharing_embed_stats").execute();
}
