import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// sharing_grants: one dashboard (dashboard_id) or a whole project (dashboard_id null) shared with
// one person (user_id) or an address not yet matched to an account (email, lower-cased), at
// `view` or `edit`. Tenant table: row-level security on app.org_id; the grantee may also read
// their own grants from outside the org (their "Shared with me" list), never change them.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);
const USER = sql.raw(`nullif(current_setting('app.user_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sharing_grants")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("dashboard_id", "uuid", (c) => c.references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("email", "text", (c) => c.check(sql`email = lower(email) and length(email) between 3 and 320`))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('view','edit')`))
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("sharing_grants_grantee", sql`(user_id is null) <> (email is null)`)
    .execute();
  // One grant per grantee and target: sharing again changes its role.
  await sql`create unique index sharing_grants_user_key on sharing_grants (project_id, coalesce(dashboard_id, '00000000-0000-0000-0000-000000000000'::uuid), user_id) where user_id is not null`.execute(db);
  await sql`create unique index sharing_grants_email_key on sharing_grants (project_id, coalesce(dashboard_id, '00000000-0000-0000-0000-000000000000'::uuid), email) where email is not null`.execute(db);
  await sql`create index sharing_grants_user_idx on sharing_grants (user_id)`.execute(db);
  await sql`create index sharing_grants_email_idx on sharing_grants (email)`.execute(db);

  await sql`alter table sharing_grants enable row level security`.execute(db);
  await sql`create policy tenant_isolation on sharing_grants using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  await sql`create policy grantee_reads_own on sharing_grants for select using (
    user_id = ${USER}
    or email = (select lower(u.email) from users u where u.id = ${USER} and u.email_verified_at is not null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sharing_grants").execute();
}
