import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// data_sources: external connections (secret fields encrypted at rest, AES-256-GCM).
// data_warehouses: each org's warehouse database and its login role (password encrypted).
// Both are tenant tables: row-level security on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("data_sources")
    .addColumn("id", "uuid", (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull().check(sql`length(name) between 1 and 80`))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("config", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("secrets", "text")
    .addColumn("created_by", "uuid", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index data_sources_org_name_key on data_sources (org_id, lower(name))`.execute(db);

  await db.schema
    .createTable("data_warehouses")
    .addColumn("org_id", "uuid", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
    .addColumn("database_name", "text", (c) => c.notNull().unique())
    .addColumn("role_name", "text", (c) => c.notNull().unique())
    .addColumn("password_encrypted", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  for (const table of ["data_sources", "data_warehouses"]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("data_warehouses").execute();
  await db.schema.dropTable("data_sources").execute();
}
