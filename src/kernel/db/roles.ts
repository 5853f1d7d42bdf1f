/**
 * The app's own database role.
 *
 * Migrations run as the owner (DATABASE_URL's user, or the embedded superuser); requests run
 * as `atrium_app`, a LOGIN role that owns nothing and lacks BYPASSRLS, so row-level security
 * policies bind every query the app makes. Its password is derived from ATRIUM_SECRET.
 */
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "./schema";
import { MIGRATION_TABLE } from "../migrator";

export const APP_ROLE = "atrium_app";

/** Creates or updates the app role and grants it what requests need. Idempotent. */
export async function provisionAppRole(owner: Kysely<KernelDatabase>, password: string): Promise<void> {
  await owner.transaction().execute(async (trx) => {
    // Serialize with other instances booting at the same time (roles are cluster-wide).
    await sql`select pg_advisory_xact_lock(${0x61747232})`.execute(trx);
    const exists = await sql`select 1 from pg_roles where rolname = ${APP_ROLE}`.execute(trx);
    if (!exists.rows.length) {
      await sql`create role ${sql.id(APP_ROLE)} login nosuperuser nobypassrls nocreatedb nocreaterole noinherit`.execute(trx);
    }
    await sql`alter role ${sql.id(APP_ROLE)} with login nosuperuser nobypassrls password ${sql.lit(password)}`.execute(trx);
    const { rows } = await sql<{ db: string }>`select current_database() as db`.execute(trx);
    // Only the owner and the app role may connect to the app database (not, say, the per-org
    // warehouse roles). Only the database's owner (or a superuser) can change that.
    const { rows: own } = await sql<{ may: boolean }>`
      select pg_get_userbyid(d.datdba) = current_user or r.rolsuper as may
      from pg_database d, pg_roles r where d.datname = current_database() and r.rolname = current_user`.execute(trx);
    if (own[0]?.may) await sql`revoke connect on database ${sql.id(rows[0]!.db)} from public`.execute(trx);
    await sql`grant connect on database ${sql.id(rows[0]!.db)} to ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`grant usage on schema public to ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema public to ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`grant usage, select on all sequences in schema public to ${sql.id(APP_ROLE)}`.execute(trx);
    await sql`grant execute on all functions in schema public to ${sql.id(APP_ROLE)}`.execute(trx);
    const migrations = await sql`select to_regclass(${MIGRATION_TABLE}) as t`.execute(trx);
    if ((migrations.rows[0] as { t: string | null }).t) {
      await sql`revoke all on ${sql.table(MIGRATION_TABLE)} from ${sql.id(APP_ROLE)}`.execute(trx);
    }
  });
}

/** Lets the app role enqueue jobs inside its own transactions (pg-boss's schema). */
export async function grantJobAccess(owner: Kysely<KernelDatabase>, schema = "pgboss"): Promise<void> {
  await sql`grant usage on schema ${sql.id(schema)} to ${sql.id(APP_ROLE)}`.execute(owner);
  await sql`grant select, insert, update on all tables in schema ${sql.id(schema)} to ${sql.id(APP_ROLE)}`.execute(owner);
  await sql`grant usage, select on all sequences in schema ${sql.id(schema)} to ${sql.id(APP_ROLE)}`.execute(owner);
  await sql`grant execute on all functions in schema ${sql.id(schema)} to ${sql.id(APP_ROLE)}`.execute(owner);
}

/**
 * Tables that carry `org_id` but have no row-level security: each one is a tenant-isolation
 * hole, and the kernel refuses to boot while any exists.
 */
export async function tablesMissingRls(owner: Kysely<KernelDatabase>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select c.relname as table_name
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and (not c.relrowsecurity or not exists (select 1 from pg_policy p where p.polrelid = c.oid))
    order by 1`.execute(owner);
  return rows.map((r) => r.table_name);
}

/** The URL `url` with its credentials replaced by the app role's. */
export function appRoleUrl(url: string, password: string): string {
  const u = new URL(url);
  u.username = APP_ROLE;
  u.password = password;
  return u.toString();
}
