import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// onboarding_task_runs: one row per start of a setup task. At most one active (queued or
//   running) run per org and task, enforced by a partial unique index, so concurrent starts on
//   any number of app instances end with one run.
// onboarding_evidence: what a run observed (ok/warn/fail/unknown, a reason code from the
//   catalog, a sanitized message and an allow-listed payload). Badges read only this.
// onboarding_dismissals: who hid the setup checklist from their org home.
// All are tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("onboarding_task_runs")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("task", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("queued").check(sql`status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')`))
    .addColumn("params", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("requested_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("job_id", "text")
    .addColumn("worker", "text")
    .addColumn("reason_code", "text")
    .addColumn("message", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("heartbeat_at", "timestamptz")
    .addColumn("retry_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await sql`create unique index onboarding_task_runs_one_active on onboarding_task_runs (org_id, task) where status in ('queued', 'running')`.execute(db);
  await sql`create index onboarding_task_runs_history on onboarding_task_runs (org_id, created_at desc)`.execute(db);
  await sql`create index onboarding_task_runs_running on onboarding_task_runs (heartbeat_at) where status = 'running'`.execute(db);

  await db.schema
    .createTable("onboarding_evidence")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("task", "text", (c) => c.notNull())
    // What was observed: a data source id, a dashboard id, or '' for the org as a whole.
    .addColumn("subject", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('ok', 'warn', 'fail', 'unknown')`))
    .addColumn("reason_code", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("payload", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("run_id", "uuid", (c) => c.references("onboarding_task_runs.id").onDelete("set null"))
    .addColumn("observed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index onboarding_evidence_newest on onboarding_evidence (org_id, task, subject, observed_at desc)`.execute(db);

  await db.schema
    .createTable("onboarding_dismissals")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("dismissed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("onboarding_dismissals_pkey", ["org_id", "user_id"])
    .execute();

  for (const table of ["onboarding_task_runs", "onboarding_evidence", "onboarding_dismissals"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("onboarding_dismissals").execute();
  await db.schema.dropTable("onboarding_evidence").execute();
  await db.schema.dropTable("onboarding_task_runs").execute();
}
