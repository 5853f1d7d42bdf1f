import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// Agents' own tool calls and resource reads ("agent.*" actions) are most of an org's audit log
// once agents work in it: a hundred thousand a day is one busy agent. The lists that skip them
// (the activity feed, the audit log filtered to people, tokens or an action prefix) read them
// through this index of the rest, so a page costs the same beside ten agent calls or ten
// million. An agent call is not entered in it: the hot path of MCP pays nothing for it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_events_org_people_idx on audit_events (org_id, created_at) where action not like 'agent.%'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists audit_events_org_people_idx`.execute(db);
}
