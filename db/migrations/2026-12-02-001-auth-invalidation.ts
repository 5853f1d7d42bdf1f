import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Invalidation for the per-instance auth cache (src/kernel/auth/cache.ts): a change to a row
// that can revoke a cached answer NOTIFYs `atrium_auth` with a tag naming it. NOTIFY is sent
// on commit, to every instance listening. Touch-only columns (last_seen_at, last_used_at) do
// not notify.
const TRIGGERS: Array<{ table: string; events: string }> = [
  { table: "sessions", events: "delete or update of user_id, expires_at, sign_in_provider" },
  { table: "api_tokens", events: "delete or update of revoked_at, expires_at, scopes, user_id, org_id" },
  { table: "users", events: "delete or update of disabled_at" },
  { table: "memberships", events: "insert or delete or update" },
  { table: "orgs", events: "delete or update of deleted_at" },
  { table: "org_sign_in_policies", events: "insert or delete or update" },
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function atrium_notify_auth() returns trigger language plpgsql as $$
    declare
      r jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
      o jsonb;
      tag text;
    begin
      tag := case tg_table_name
        when 'sessions' then 's:' || (r->>'id')
        when 'api_tokens' then 't:' || (r->>'id')
        when 'users' then 'u:' || (r->>'id')
        when 'memberships' then 'm:' || (r->>'org_id') || ':' || (r->>'user_id')
        when 'orgs' then 'o:' || (r->>'id')
        when 'org_sign_in_policies' then 'p:' || (r->>'org_id')
      end;
      perform pg_notify('atrium_auth', tag);
      if tg_op = 'UPDATE' then
        -- A row moved to another key: the old key is stale too.
        o := to_jsonb(old);
        if tg_table_name = 'memberships' and (o->>'org_id', o->>'user_id') is distinct from (r->>'org_id', r->>'user_id') then
          perform pg_notify('atrium_auth', 'm:' || (o->>'org_id') || ':' || (o->>'user_id'));
        elsif tg_table_name <> 'memberships' and (o->>'id') is distinct from (r->>'id') then
          perform pg_notify('atrium_auth', left(tag, 2) || (o->>'id'));
        end if;
      end if;
      return null;
    end $$`.execute(db);
  for (const { table, events } of TRIGGERS) {
    await sql`create trigger ${sql.raw(`${table}_notify_auth`)} after ${sql.raw(events)} on ${sql.table(table)}
      for each row execute function atrium_notify_auth()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of TRIGGERS) await sql`drop trigger if exists ${sql.raw(`${table}_notify_auth`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists atrium_notify_auth()`.execute(db);
}
