import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Lists whose cost does not grow with the project: a project's live dashboards are paged by
// (updated_at desc, slug) on an index in that order, and searching title, slug, description and
// tags uses a trigram index on the one expression the queries match (ILIKE '%words%').
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create or replace function dashboards_search_text(title text, slug text, description text, tags text[]) returns text
    language sql immutable parallel safe
    as $$ select lower(coalesce(title, '') || ' ' || coalesce(slug, '') || ' ' || coalesce(description, '') || ' ' || coalesce(array_to_string(tags, ' '), '')) $$`.execute(db);
  await sql`create index dashboards_dashboards_search_idx on dashboards_dashboards using gin (dashboards_search_text(title, slug, description, tags) gin_trgm_ops)`.execute(db);
  await sql`create index dashboards_dashboards_project_page_idx on dashboards_dashboards (project_id, updated_at desc, slug) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists dashboards_dashboards_project_page_idx`.execute(db);
  await sql`drop index if exists dashboards_dashboards_search_idx`.execute(db);
  await sql`drop function if exists dashboards_search_text(text, text, text, text[])`.execute(db);
}
