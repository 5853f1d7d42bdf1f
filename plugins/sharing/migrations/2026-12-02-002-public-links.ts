import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// sharing_links: a public link to one dashboard. Only the SHA-256 of its token is kept (the
// token is shown once); an expiry is required; a password is an argon2id hash; paused or
// revoked links answer like unknown ones. variable_policy says, per variable, whether the
// viewer may change it (locked / allowed values / free); time_clamp bounds date variables;
// exports lists what the viewer may download.
// sharing_link_views: one row per view (time, a keyed hash of the address, the variables).
// sharing_settings: per-org limits (the longest a link may live).
// Tenant tables with row-level security on app.org_id; a person may also read the links they
// made from outside the org ("my links"). An anonymous visitor reaches a link only through
// sharing_link_org(hash), which answers the org of exactly that hash and nothing else.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);
const USER = sql.raw(`nullif(current_setting('app.user_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sharing_links")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("label", "text", (c) => c.notNull().defaultTo("").check(sql`length(label) <= 200`))
    .addColumn("password_hash", "text")
    .addColumn("variable_policy", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("time_clamp", "jsonb")
    .addColumn("exports", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("paused_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("view_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_viewed_at", "timestamptz")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index sharing_links_dashboard_idx on sharing_links (dashboard_id)`.execute(db);
  await sql`create index sharing_links_creator_idx on sharing_links (created_by)`.execute(db);

  await db.schema
    .createTable("sharing_link_views")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("link_id", "uuid", (c) => c.notNull().references("sharing_links.id").onDelete("cascade"))
    .addColumn("viewed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("ip_hash", "text")
    .addColumn("variables", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await sql`create index sharing_link_views_link_idx on sharing_link_views (link_id, viewed_at desc)`.execute(db);

  await db.schema
    .createTable("sharing_settings")
    .addColumn("org_id", "uuid", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
    .addColumn("max_link_days", "integer", (c) => c.notNull().defaultTo(90).check(sql`max_link_days between 1 and 365`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  for (const table of ["sharing_links", "sharing_link_views", "sharing_settings"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
  await sql`create policy creator_reads_own on sharing_links for select using (created_by = ${USER})`.execute(db);

  await sql`create function sharing_link_org(p_hash text) returns uuid
    language sql stable security definer set search_path = public
    as $$ select org_id from sharing_links where token_hash = p_hash $$`.execute(db);
  await sql`revoke all on function sharing_link_org(text) from public`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists sharing_link_org(text)`.execute(db);
  await db.schema.dropTable("sharing_settings").execute();
  await db.schema.dropTable("sharing_link_views").execute();
  await db.schema.dropTable("sharing_links").execute();
}
