import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// `projects.list` is read a page at a time by name (keyset paging, src/kernel/paging.ts): its
// sort gets an index that starts with the org and holds only live projects, so a page costs the
// same in an org of ten projects and in one of a thousand. A search by part of the name or slug
// goes through a trigram index of the two as one text, like the member search.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index projects_org_name_idx on projects (org_id, name, id) where deleted_at is null`.execute(db);
  await sql`create or replace function atrium_project_search_text(name text, slug text) returns text
    language sql immutable parallel safe
    as $$ select coalesce(name, '') || chr(31) || coalesce(slug, '') $$`.execute(db);
  await sql`create index projects_search_idx on projects using gin (atrium_project_search_text(name, slug) gin_trgm_ops) with (fastupdate = off) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists projects_search_idx`.execute(db);
  await sql`drop function if exists atrium_project_search_text(text, text)`.execute(db);
  await sql`drop index if exists projects_org_name_idx`.execute(db);
}
