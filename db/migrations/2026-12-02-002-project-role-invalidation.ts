import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// The auth cache (src/kernel/auth/cache.ts) also keeps a member's project roles (the MCP tool
// list is built from them): a change to a project role NOTIFYs `r:<org>:<user>`, a project
// deleted or restored `j:<org>`.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function atrium_notify_project_roles() returns trigger language plpgsql as $$
    declare
      r jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
      o jsonb;
    begin
      if tg_table_name = 'projects' then
        perform pg_notify('atrium_auth', 'j:' || (r->>'org_id'));
        return null;
      end if;
      perform pg_notify('atrium_auth', 'r:' || (r->>'org_id') || ':' || (r->>'user_id'));
      if tg_op = 'UPDATE' then
        o := to_jsonb(old);
        if (o->>'org_id', o->>'user_id') is distinct from (r->>'org_id', r->>'user_id') then
          perform pg_notify('atrium_auth', 'r:' || (o->>'org_id') || ':' || (o->>'user_id'));
        end if;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger project_roles_notify_auth after insert or delete or update on project_roles
    for each row execute function atrium_notify_project_roles()`.execute(db);
  await sql`create trigger projects_notify_auth after delete or update of deleted_at, org_id on projects
    for each row execute function atrium_notify_project_roles()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists projects_notify_auth on projects`.execute(db);
  await sql`drop trigger if exists project_roles_notify_auth on project_roles`.execute(db);
  await sql`drop function if exists atrium_notify_project_roles()`.execute(db);
}
