import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);
const USER = sql.raw(`nullif(current_setting('app.user_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  // An MCP client: registered (RFC 7591; one row per name + redirect URIs) or known by its
  // metadata document's https URL (its client_id). Not a tenant row: one client serves many orgs.
  await db.schema
    .createTable("mcp_oauth_clients")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("client_id", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('registered', 'metadata')`))
    .addColumn("client_name", "text", (c) => c.notNull())
    .addColumn("client_uri", "text")
    .addColumn("redirect_uris", sql`text[]`, (c) => c.notNull())
    // SHA-256 of the name and the sorted redirect URIs: the same registration twice is one client.
    .addColumn("registration_key", "text", (c) => c.unique())
    .addColumn("metadata", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("fetched_at", "timestamptz")
    .addColumn("last_used_at", "timestamptz")
    .execute();

  // An authorization request waiting for its person's consent (10 minutes).
  await db.schema
    .createTable("mcp_oauth_requests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("client_pk", "uuid", (c) => c.notNull().references("mcp_oauth_clients.id").onDelete("cascade"))
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text", (c) => c.notNull())
    .addColumn("scopes", sql`text[]`, (c) => c.notNull())
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("state", "text")
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // What a person approved for one client in one org: scopes, projects (null: all), the resource.
  // A connected app in the person's list; revoking it ends every token it issued.
  await db.schema
    .createTable("mcp_oauth_grants")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("client_pk", "uuid", (c) => c.notNull().references("mcp_oauth_clients.id").onDelete("cascade"))
    .addColumn("scopes", sql`text[]`, (c) => c.notNull())
    .addColumn("project_ids", sql`uuid[]`)
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("calls", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("revoked_at", "timestamptz")
    .addColumn("revoked_reason", "text")
    .execute();
  await db.schema.createIndex("mcp_oauth_grants_org_idx").on("mcp_oauth_grants").columns(["org_id", "created_at"]).execute();
  await db.schema.createIndex("mcp_oauth_grants_user_idx").on("mcp_oauth_grants").columns(["user_id", "created_at"]).execute();
  await db.schema.createIndex("mcp_oauth_grants_client_idx").on("mcp_oauth_grants").column("client_pk").execute();
  // Visible in the org's scope (its admins' list) and to the person it belongs to (their list).
  await sql`alter table mcp_oauth_grants enable row level security`.execute(db);
  await sql`create policy tenant_isolation on mcp_oauth_grants using (org_id = ${ORG} or user_id = ${USER}) with check (org_id = ${ORG} or user_id = ${USER})`.execute(db);

  // Authorization codes (single use, 1 minute) and tokens: only their SHA-256 is stored.
  await db.schema
    .createTable("mcp_oauth_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("grant_id", "uuid", (c) => c.notNull().references("mcp_oauth_grants.id").onDelete("cascade"))
    .addColumn("redirect_uri", "text", (c) => c.notNull())
    .addColumn("code_challenge", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema
    .createTable("mcp_oauth_tokens")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("grant_id", "uuid", (c) => c.notNull().references("mcp_oauth_grants.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('access', 'refresh')`))
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    // A refresh token is used once: rotated_at marks it spent; presenting it again revokes the grant.
    .addColumn("rotated_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("mcp_oauth_tokens_grant_idx").on("mcp_oauth_tokens").column("grant_id").execute();

  // The org's rule for AI agents: off, read (read-only) or write (read-write, the default).
  await db.schema
    .createTable("mcp_oauth_org_settings")
    .addColumn("org_id", "uuid", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
    .addColumn("agents", "text", (c) => c.notNull().check(sql`agents in ('off', 'read', 'write')`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .execute();
  await sql`alter table mcp_oauth_org_settings enable row level security`.execute(db);
  await sql`create policy tenant_isolation on mcp_oauth_org_settings using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  // Lookups by token before any tenant scope exists (the token endpoint, every /mcp request).
  // SECURITY DEFINER so they run as the owner; each returns at most the one matching row.
  await sql`create function mcp_oauth_find_grant(p_id uuid)
    returns table (id uuid, org_id uuid, user_id uuid, client_pk uuid, scopes text[], project_ids uuid[],
                   resource text, revoked_at timestamptz, agents text)
    language sql stable security definer set search_path = public as
    $$ select g.id, g.org_id, g.user_id, g.client_pk, g.scopes, g.project_ids, g.resource, g.revoked_at,
              coalesce(s.agents, 'write')
       from mcp_oauth_grants g join orgs o on o.id = g.org_id
       left join mcp_oauth_org_settings s on s.org_id = g.org_id
       where g.id = p_id and o.deleted_at is null $$`.execute(db);
  await sql`create function mcp_oauth_agents_setting(p_org uuid)
    returns text language sql stable security definer set search_path = public as
    $$ select coalesce((select agents from mcp_oauth_org_settings where org_id = p_org), 'write') $$`.execute(db);
  await sql`create function mcp_oauth_touch_grant(p_id uuid)
    returns void language sql security definer set search_path = public as
    $$ update mcp_oauth_grants set last_used_at = now(), calls = calls + 1 where id = p_id $$`.execute(db);
  await sql`create function mcp_oauth_revoke_grant(p_id uuid, p_reason text)
    returns void language sql security definer set search_path = public as
    $$ update mcp_oauth_grants set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, p_reason) where id = p_id;
       update mcp_oauth_tokens set revoked_at = coalesce(revoked_at, now()) where grant_id = p_id $$`.execute(db);
  for (const fn of ["mcp_oauth_find_grant(uuid)", "mcp_oauth_agents_setting(uuid)", "mcp_oauth_touch_grant(uuid)", "mcp_oauth_revoke_grant(uuid, text)"]) {
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists mcp_oauth_revoke_grant(uuid, text), mcp_oauth_touch_grant(uuid), mcp_oauth_agents_setting(uuid), mcp_oauth_find_grant(uuid)`.execute(db);
  for (const t of ["mcp_oauth_org_settings", "mcp_oauth_tokens", "mcp_oauth_codes", "mcp_oauth_grants", "mcp_oauth_requests", "mcp_oauth_clients"]) {
    await db.schema.dropTable(t).execute();
  }
}
