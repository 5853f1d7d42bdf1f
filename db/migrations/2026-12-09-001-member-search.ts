import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// A member search costs the same in an org of ten and in one of ten thousand: the searched text
// (name and email, one expression) has a trigram index, so a name a handful of people carry is
// found through the index instead of by reading every membership of the org. `users` carries no
// row policy, so the index serves the caller's scope. Updated on every write (no pending list to
// read through, see the dashboards search index).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create or replace function atrium_user_search_text(name text, email text) returns text
    language sql immutable parallel safe
    as $$ select coalesce(name, '') || chr(31) || coalesce(email, '') $$`.execute(db);
  await sql`create index users_search_idx on users using gin (atrium_user_search_text(name, email::text) gin_trgm_ops) with (fastupdate = off)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_search_idx`.execute(db);
  await sql`drop function if exists atrium_user_search_text(text, text)`.execute(db);
}
