import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// The org's agent setting (write / read / off) is asked on every MCP call; instances cache it
// in the auth cache under `a:<org>`. A change to the setting notifies every instance on commit
// (channel `atrium_auth`, as the kernel's own triggers do), so "agents off" takes effect at once
// everywhere.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function mcp_oauth_notify_agents_setting() returns trigger language plpgsql as $$
    begin
      perform pg_notify('atrium_auth', 'a:' || (case when tg_op = 'DELETE' then old.org_id else new.org_id end)::text);
      if tg_op = 'UPDATE' and old.org_id is distinct from new.org_id then
        perform pg_notify('atrium_auth', 'a:' || old.org_id::text);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger mcp_oauth_org_settings_notify_auth after insert or update or delete on mcp_oauth_org_settings
    for each row execute function mcp_oauth_notify_agents_setting()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists mcp_oauth_org_settings_notify_auth on mcp_oauth_org_settings`.execute(db);
  await sql`drop function if exists mcp_oauth_notify_agents_setting()`.execute(db);
}
