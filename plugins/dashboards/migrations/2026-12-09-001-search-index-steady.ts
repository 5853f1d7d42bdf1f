import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// The search index answers in the same time whatever was added lately: GIN's fast update keeps
// new entries in a pending list that every search reads through, row by row, until a vacuum
// merges it (measured: 100,000 dashboards added at once left ~3.4 MB pending, and a search that
// finds 20 read 426 pages in 2.1 ms instead of 29 pages in 0.2 ms). Dashboards are written far
// less often than they are searched, so each write updates the index itself.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index dashboards_dashboards_search_idx set (fastupdate = off)`.execute(db);
  await sql`select gin_clean_pending_list('dashboards_dashboards_search_idx'::regclass)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter index dashboards_dashboards_search_idx reset (fastupdate)`.execute(db);
}
