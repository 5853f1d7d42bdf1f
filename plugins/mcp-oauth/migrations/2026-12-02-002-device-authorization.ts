import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.

export async function up(db: Kysely<any>): Promise<void> {
  // RFC 8628: a device (the `atrium` CLI) waiting for its person to enter the user code in the
  // app. Both codes are stored as hashes only; the row holds no org until it is approved (the
  // grant does), so it is not a tenant row, like the pending authorization requests.
  await db.schema
    .createTable("mcp_oauth_device_codes")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("device_code_hash", "text", (c) => c.notNull().unique())
    // HMAC of the normalised user code (short, so keyed: a leaked table cannot be brute-forced).
    .addColumn("user_code_hash", "text", (c) => c.notNull().unique())
    .addColumn("client_pk", "uuid", (c) => c.notNull().references("mcp_oauth_clients.id").onDelete("cascade"))
    .addColumn("scopes", sql`text[]`, (c) => c.notNull())
    .addColumn("resources", sql`text[]`, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending").check(sql`status in ('pending', 'approved', 'denied', 'used')`))
    .addColumn("grant_id", "uuid", (c) => c.references("mcp_oauth_grants.id").onDelete("cascade"))
    // The polling interval in force for this device (raised by 5 s at each slow_down).
    .addColumn("interval_seconds", "integer", (c) => c.notNull())
    .addColumn("last_polled_at", "timestamptz")
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("mcp_oauth_device_codes_expires_idx").on("mcp_oauth_device_codes").column("expires_at").execute();

  // A grant may be good at more than one resource: the CLI's tokens reach /mcp and the
  // ingestion API (/api/v1). `resource` stays the first; these are the others.
  await db.schema.alterTable("mcp_oauth_grants").addColumn("extra_resources", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`)).execute();

  await sql`drop function mcp_oauth_find_grant(uuid)`.execute(db);
  await sql`create function mcp_oauth_find_grant(p_id uuid)
    returns table (id uuid, org_id uuid, user_id uuid, client_pk uuid, scopes text[], project_ids uuid[],
                   resource text, extra_resources text[], revoked_at timestamptz, agents text)
    language sql stable security definer set search_path = public as
    $$ select g.id, g.org_id, g.user_id, g.client_pk, g.scopes, g.project_ids, g.resource, g.extra_resources, g.revoked_at,
              coalesce(s.agents, 'write')
       from mcp_oauth_grants g join orgs o on o.id = g.org_id
       left join mcp_oauth_org_settings s on s.org_id = g.org_id
       where g.id = p_id and o.deleted_at is null $$`.execute(db);
  await sql`revoke all on function mcp_oauth_find_grant(uuid) from public`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function mcp_oauth_find_grant(uuid)`.execute(db);
  await sql`create function mcp_oauth_find_grant(p_id uuid)
    returns table (id uuid, org_id uuid, user_id uuid, client_pk uuid, scopes text[], project_ids uuid[],
                   resource text, revoked_at timestamptz, agents text)
    language sql stable security definer set search_path = public as
    $$ select g.id, g.org_id, g.user_id, g.client_pk, g.scopes, g.project_ids, g.resource, g.revoked_at,
              coalesce(s.agents, 'write')
       from mcp_oauth_grants g join orgs o on o.id = g.org_id
       left join mcp_oauth_org_settings s on s.org_id = g.org_id
       where g.id = p_id and o.deleted_at is null $$`.execute(db);
  await sql`revoke all on function mcp_oauth_find_grant(uuid) from public`.execute(db);
  await db.schema.alterTable("mcp_oauth_grants").dropColumn("extra_resources").execute();
  await db.schema.dropTable("mcp_oauth_device_codes").execute();
}
