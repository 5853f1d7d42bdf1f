import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// A person's tokens are listed (live ones, and those revoked or expired in the last 30 days) and
// counted (at most 100 live ones) by when each stopped working: revoked or expired, whichever came
// first, or never (LEAST skips nulls, so infinity). Ended tokens are kept for the audit trail, so
// without this index both would read every token the person ever made; through it they read only
// the ones they answer with. LEAST, not COALESCE: under row-level security only leakproof
// expressions become index conditions, and COALESCE does not count as one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index api_tokens_user_ended_idx on api_tokens (user_id, (least(revoked_at, expires_at, 'infinity'::timestamptz)))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists api_tokens_user_ended_idx`.execute(db);
}
