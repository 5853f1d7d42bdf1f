import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// sync_sources: a machine's local project that sends rows, one per (org, local project id,
// machine id), with its last sync and checkpoint.
// sync_datasets: what the app shows of each synced dataset (the warehouse holds the rows and
// the truth: keys, counts, idempotency records; this is refreshed after every batch).
// Both are tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sync_sources")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("project_key", "text", (c) => c.notNull().check(sql`length(project_key) between 1 and 200`))
    .addColumn("machine_id", "text", (c) => c.notNull().check(sql`length(machine_id) between 1 and 200`))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_sync_at", "timestamptz")
    .addColumn("last_cursor", "text")
    .addColumn("rows_sent", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create unique index sync_sources_identity on sync_sources (org_id, project_key, machine_id)`.execute(db);

  await db.schema
    .createTable("sync_datasets")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key_columns", sql`text[]`)
    .addColumn("column_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("row_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("batches", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("last_sync_at", "timestamptz")
    .addColumn("last_source_id", "uuid", (c) => c.references("sync_sources.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("sync_datasets_pkey", ["org_id", "name"])
    .execute();

  for (const table of ["sync_sources", "sync_datasets"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sync_datasets").execute();
  await db.schema.dropTable("sync_sources").execute();
}
