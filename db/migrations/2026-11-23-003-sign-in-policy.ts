import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// How a session was signed in (so an org can require a provider), and each org's sign-in
// policy: a required provider, and auto-join for verified addresses of one domain.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  // "password", "oidc", "github" …; the provider id ("okta", "github") when there is one.
  // Sessions from before this migration have neither: they satisfy no provider requirement.
  await db.schema.alterTable("sessions").addColumn("sign_in_method", "text").execute();
  await db.schema.alterTable("sessions").addColumn("sign_in_provider", "text").execute();

  await db.schema
    .createTable("org_sign_in_policies")
    .addColumn("org_id", "uuid", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
    // A provider id every member's session must come from; null: any way of signing in.
    .addColumn("required_provider", "text")
    // When the requirement was switched on: access tokens created before it are refused.
    .addColumn("required_since", "timestamptz")
    // People signing in with a provider-verified address at this domain join the org.
    .addColumn("auto_join_domain", sql`citext`, (c) => c.check(sql`auto_join_domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'`))
    // Never owner: ownership is given, not taken by signing in.
    .addColumn("auto_join_role", "text", (c) => c.notNull().defaultTo("viewer").check(sql`auto_join_role in ('admin','editor','viewer')`))
    .addColumn("updated_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("org_sign_in_policies_required_since", sql`(required_provider is null) = (required_since is null)`)
    .execute();
  await db.schema.createIndex("org_sign_in_policies_domain_idx").on("org_sign_in_policies").column("auto_join_domain").execute();
  await sql`alter table org_sign_in_policies enable row level security`.execute(db);
  await sql`create policy tenant_isolation on org_sign_in_policies using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  // Auto-join runs right after a sign-in, before any org scope exists: this finds the orgs
  // that take a domain (and only what auto-join needs), as the owner.
  await sql`create function atrium_auto_join_orgs(p_domain text)
    returns table (org_id uuid, role text, required_provider text)
    language sql stable security definer set search_path = public as
    $$ select p.org_id, p.auto_join_role, p.required_provider
       from org_sign_in_policies p join orgs o on o.id = p.org_id
       where p.auto_join_domain = p_domain::citext and o.deleted_at is null $$`.execute(db);
  await sql`revoke all on function atrium_auto_join_orgs(text) from public`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists atrium_auto_join_orgs(text)`.execute(db);
  await db.schema.dropTable("org_sign_in_policies").execute();
  await db.schema.alterTable("sessions").dropColumn("sign_in_provider").execute();
  await db.schema.alterTable("sessions").dropColumn("sign_in_method").execute();
}
