import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// onboarding_sessions: the setup wizard's state per org (status, current step, each step's
//   answers, skipped steps, the person it is assigned to) with an edit lease (holder, expiry)
//   and an optimistic version bumped by every save. One active (draft or in progress) session
//   per org, by a partial unique index. A tenant table: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("onboarding_sessions")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft").check(sql`status in ('draft', 'in_progress', 'completed', 'abandoned')`))
    .addColumn("current_step", "integer", (c) => c.notNull().defaultTo(1).check(sql`current_step between 1 and 5`))
    .addColumn("answers", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("skipped", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("assigned_to", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("lease_holder", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("lease_expires_at", "timestamptz")
    // Who last took the lease from someone else, and from whom: the former holder is told.
    .addColumn("taken_from", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("taken_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("completed_at", "timestamptz")
    .execute();
  await sql`create unique index onboarding_sessions_one_active on onboarding_sessions (org_id) where status in ('draft', 'in_progress')`.execute(db);
  await sql`alter table onboarding_sessions enable row level security`.execute(db);
  await sql`create policy tenant_isolation on onboarding_sessions using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("onboarding_sessions").execute();
}
