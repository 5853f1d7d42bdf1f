import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Row-level security: every tenant table carries org_id and a policy comparing it with
// app.org_id, which the kernel sets per transaction (with app.user_id). The app connects as a
// role that owns none of these tables, so the policies bind it.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);
const USER = sql.raw(`nullif(current_setting('app.user_id', true), '')::uuid`);

async function enableRls(db: Kysely<any>, table: string, using: ReturnType<typeof sql>, check?: ReturnType<typeof sql>) {
  await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  await sql`create policy tenant_isolation on ${sql.table(table)} using (${using}) with check (${check ?? using})`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  // Orgs: visible inside their own scope or to their members; anyone signed in may create one
  // (the kernel sets app.org_id to the new id first, so RETURNING can see it).
  await sql`alter table orgs enable row level security`.execute(db);
  await sql`create policy tenant_isolation on orgs
    using (id = ${ORG} or exists (select 1 from memberships m where m.org_id = orgs.id and m.user_id = ${USER}))
    with check (id = ${ORG})`.execute(db);
  await enableRls(db, "memberships", sql`org_id = ${ORG} or user_id = ${USER}`, sql`org_id = ${ORG}`);

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("sessions_user_idx").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("projects")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("slug", "text", (c) => c.notNull().check(sql`slug ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$'`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("archived_at", "timestamptz")
    .addColumn("deleted_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("projects_org_slug_key", ["org_id", "slug"])
    .execute();
  await enableRls(db, "projects", sql`org_id = ${ORG}`);

  // Project-level role overrides: a member may hold a different role in one project.
  await db.schema
    .createTable("project_roles")
    .addColumn("project_id", "uuid", (c) => c.notNull().references("projects.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner','admin','editor','viewer')`))
    .addPrimaryKeyConstraint("project_roles_pkey", ["project_id", "user_id"])
    .execute();
  await enableRls(db, "project_roles", sql`org_id = ${ORG}`);

  await db.schema
    .createTable("invitations")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("email", sql`citext`, (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('owner','admin','editor','viewer')`))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("invited_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("accepted_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await enableRls(db, "invitations", sql`org_id = ${ORG}`);

  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("scopes", sql`text[]`, (c) => c.notNull())
    .addColumn("expires_at", "timestamptz")
    .addColumn("last_used_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await enableRls(db, "api_tokens", sql`user_id = ${USER} or org_id = ${ORG}`, sql`user_id = ${USER}`);

  await db.schema
    .createTable("audit_events")
    .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn("org_id", "uuid", (c) => c.references("orgs.id").onDelete("cascade"))
    .addColumn("actor_kind", "text", (c) => c.notNull().check(sql`actor_kind in ('user','token','agent','system','anonymous')`))
    .addColumn("actor_user_id", "uuid")
    .addColumn("actor_token_id", "uuid")
    .addColumn("actor_label", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("data", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("ip", "text")
    .addColumn("request_id", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("audit_events_org_created_idx").on("audit_events").columns(["org_id", "created_at"]).execute();
  await enableRls(
    db,
    "audit_events",
    sql`org_id = ${ORG} or (org_id is null and actor_user_id = ${USER})`,
    sql`org_id = ${ORG} or org_id is null`,
  );

  // Fixed-window counters for rate limits (sign-in per account and per IP, tokens, MCP).
  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_start", "timestamptz", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();

  // Mail: sent through SMTP when configured, and always recorded here (the dev outbox).
  await db.schema
    .createTable("mail_outbox")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("text_body", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    .addColumn("error", "text")
    .execute();

  // Lookups by secret before any tenant scope exists: a bearer token, an invitation link.
  // SECURITY DEFINER so they run as the owner; they return at most the one matching row.
  await sql`create function atrium_find_api_token(p_hash text)
    returns setof api_tokens language sql stable security definer set search_path = public as
    $$ select * from api_tokens where token_hash = p_hash $$`.execute(db);
  await sql`create function atrium_touch_api_token(p_id uuid)
    returns void language sql security definer set search_path = public as
    $$ update api_tokens set last_used_at = now() where id = p_id $$`.execute(db);
  await sql`create function atrium_find_invitation(p_hash text)
    returns table (id uuid, org_id uuid, org_slug text, org_name text, email citext, role text,
                   expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
    language sql stable security definer set search_path = public as
    $$ select i.id, i.org_id, o.slug, o.name, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at
       from invitations i join orgs o on o.id = i.org_id
       where i.token_hash = p_hash and o.deleted_at is null $$`.execute(db);
  for (const fn of ["atrium_find_api_token(text)", "atrium_touch_api_token(uuid)", "atrium_find_invitation(text)"]) {
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists atrium_find_invitation(text), atrium_touch_api_token(uuid), atrium_find_api_token(text)`.execute(db);
  for (const t of ["mail_outbox", "rate_limits", "audit_events", "api_tokens", "invitations", "project_roles", "projects", "sessions"]) {
    await db.schema.dropTable(t).execute();
  }
  await sql`drop policy tenant_isolation on memberships`.execute(db);
  await sql`alter table memberships disable row level security`.execute(db);
  await sql`drop policy tenant_isolation on orgs`.execute(db);
  await sql`alter table orgs disable row level security`.execute(db);
}
