import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Rate-limit counters are short-lived (a window of minutes to an hour) and cheap to lose: a
// database crash that resets them lets a caller make at most one more window's worth of tries.
// Unlogged, a counter write produces no write-ahead log and its commit does not wait for a disk
// flush: a password sign-in counts its tries without paying for a flush it does not need
// (ADR 050). After a crash, PostgreSQL empties the table; after a clean stop it keeps it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limits set unlogged`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limits set logged`.execute(db);
}
