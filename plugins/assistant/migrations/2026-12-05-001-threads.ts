import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// assistant_threads: one conversation of one person, in an org and (optionally) a project.
// assistant_messages: its messages in order (AI SDK UI messages: role + parts as JSON).
// assistant_usage: tokens and requests per person, org and day (the daily budget).
// All are tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("assistant_threads")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_id", "uuid", (c) => c.references("projects.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("title", "text", (c) => c.notNull().check(sql`length(title) between 1 and 120`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index assistant_threads_owner_idx on assistant_threads (org_id, user_id, project_id, updated_at desc)`.execute(db);

  await db.schema
    .createTable("assistant_messages")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("thread_id", "uuid", (c) => c.notNull().references("assistant_threads.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull().check(sql`length(id) between 1 and 100`))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('user', 'assistant', 'system')`))
    .addColumn("parts", "jsonb", (c) => c.notNull())
    .addColumn("metadata", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("assistant_messages_pkey", ["thread_id", "id"])
    .execute();
  await sql`create index assistant_messages_order_idx on assistant_messages (thread_id, position)`.execute(db);

  await db.schema
    .createTable("assistant_usage")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("day", "date", (c) => c.notNull())
    .addColumn("requests", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("input_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("output_tokens", "bigint", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("assistant_usage_pkey", ["org_id", "user_id", "day"])
    .execute();

  for (const table of ["assistant_threads", "assistant_messages", "assistant_usage"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("assistant_usage").execute();
  await db.schema.dropTable("assistant_messages").execute();
  await db.schema.dropTable("assistant_threads").execute();
}
