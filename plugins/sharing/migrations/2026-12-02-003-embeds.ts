import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// sharing_embed_secrets: a project's keys for signing embed tokens (HS256). The key itself is
// encrypted at rest (AES-GCM, bound to its row); `retires_at` null means current, a time in the
// future means "retiring" (still valid during the overlap window after a rotation), a time in
// the past means retired.
// sharing_embed_settings: per project, the origins allowed to frame its embeds
// (Content-Security-Policy frame-ancestors).
// sharing_embed_cutoffs: per dashboard, tokens issued at or before `revoked_before` refuse.
// Tenant tables with row-level security on app.org_id. A visitor with a token reaches its org
// only through sharing_embed_org(key id), which answers the org of exactly that key.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sharing_embed_secrets")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("secret_enc", "text", (c) => c.notNull())
    .addColumn("retires_at", "timestamptz")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index sharing_embed_secrets_project_idx on sharing_embed_secrets (project_id, created_at desc)`.execute(db);

  await db.schema
    .createTable("sharing_embed_settings")
    .addColumn("project_id", "uuid", (c) => c.primaryKey().references("projects.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("allowed_origins", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("sharing_embed_cutoffs")
    .addColumn("dashboard_id", "uuid", (c) => c.primaryKey().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("revoked_before", "timestamptz", (c) => c.notNull())
    .execute();

  for (const table of ["sharing_embed_secrets", "sharing_embed_settings", "sharing_embed_cutoffs"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }

  await sql`create function sharing_embed_org(p_key uuid) returns uuid
    language sql stable security definer set search_path = public
    as $$ select org_id from sharing_embed_secrets where id = p_key $$`.execute(db);
  await sql`revoke all on function sharing_embed_org(uuid) from public`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists sharing_embed_org(uuid)`.execute(db);
  await db.schema.dropTable("sharing_embed_cutoffs").execute();
  await db.schema.dropTable("sharing_embed_settings").execute();
  await db.schema.dropTable("sharing_embed_secrets").execute();
}
