import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// onboarding_funnel_events: the setup funnel for the instance's operator. An org reaching a
//   setup stage for the first time ("stage_reached", once per org and stage), and a wizard step
//   completed or skipped ("step_completed" / "step_skipped", once per session and step, with the
//   time spent on the step). A tenant table (row-level security on app.org_id); the operator's
//   report reads it across orgs on the owner's connection.
// onboarding_sessions gains step_entered_at (when the shown step last changed, for the time per
//   step) and abandoned_at (set by the daily job that abandons sessions left idle for days).
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("onboarding_funnel_events")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("session_id", "uuid", (c) => c.references("onboarding_sessions.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('stage_reached', 'step_completed', 'step_skipped')`))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("duration_ms", "bigint")
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index onboarding_funnel_stage_once on onboarding_funnel_events (org_id, key) where kind = 'stage_reached'`.execute(db);
  await sql`create unique index onboarding_funnel_step_once on onboarding_funnel_events (session_id, kind, key) where session_id is not null`.execute(db);
  await sql`create index onboarding_funnel_by_kind on onboarding_funnel_events (kind, key)`.execute(db);
  await sql`alter table onboarding_funnel_events enable row level security`.execute(db);
  await sql`create policy tenant_isolation on onboarding_funnel_events using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);

  await db.schema
    .alterTable("onboarding_sessions")
    .addColumn("step_entered_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("abandoned_at", "timestamptz")
    .execute();
  await sql`create index onboarding_sessions_idle on onboarding_sessions (updated_at) where status in ('draft', 'in_progress')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists onboarding_sessions_idle`.execute(db);
  await db.schema.alterTable("onboarding_sessions").dropColumn("step_entered_at").dropColumn("abandoned_at").execute();
  await db.schema.dropTable("onboarding_funnel_events").execute();
}
