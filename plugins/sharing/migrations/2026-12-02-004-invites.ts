import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// sharing_invites: an email invitation to view one dashboard without an account. The mail's
// link is one-time and lives an hour (only the SHA-256 of its token is kept; a resend replaces
// it, so earlier links stop working). Opening it binds view access to that browser for 30 days:
// the browser keeps a random secret in a cookie, only its SHA-256 is kept here. Revoking ends
// it at once. One invitation per dashboard and address.
// A visitor reaches an invitation's org only through sharing_invite_org(hash) (the link) or
// sharing_invite_org_by_id(id) (the browser's later visits).
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sharing_invites")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.notNull().check(sql`length(email) <= 320`))
    .addColumn("token_hash", "text", (c) => c.unique())
    .addColumn("link_expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("browser_hash", "text")
    .addColumn("access_expires_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("asked_at", "timestamptz")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("sharing_invites_dashboard_email", ["dashboard_id", "email"])
    .execute();
  await sql`alter table sharing_invites enable row level security`.execute(db);
  await sql`create policy tenant_isolation on sharing_invites using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  await sql`create function sharing_invite_org(p_hash text) returns uuid
    language sql stable security definer set search_path = public
    as $$ select org_id from sharing_invites where token_hash = p_hash $$`.execute(db);
  await sql`create function sharing_invite_org_by_id(p_id uuid) returns uuid
    language sql stable security definer set search_path = public
    as $$ select org_id from sharing_invites where id = p_id $$`.execute(db);
  await sql`revoke all on function sharing_invite_org(text) from public`.execute(db);
  await sql`revoke all on function sharing_invite_org_by_id(uuid) from public`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists sharing_invite_org_by_id(uuid)`.execute(db);
  await sql`drop function if exists sharing_invite_org(text)`.execute(db);
  await db.schema.dropTable("sharing_invites").execute();
}
