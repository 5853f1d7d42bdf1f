import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// collaboration_presence: who has a dashboard open now (viewing it, or in its editor), one row
//   per person and dashboard, kept alive by the open page's heartbeat; a row past expires_at is
//   nobody (a closed or killed browser vanishes by itself). A tenant table: row-level security
//   on app.org_id.
const ORG = sql.raw(`nullif(current_setting('app.org_id', true), '')::uuid`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("collaboration_presence")
    .addColumn("dashboard_id", "uuid", (c) => c.notNull().references("dashboards_dashboards.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("editing", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("collaboration_presence_pkey", ["dashboard_id", "user_id"])
    .execute();
  await db.schema.createIndex("collaboration_presence_org_idx").on("collaboration_presence").column("org_id").execute();
  await sql`alter table collaboration_presence enable row level security`.execute(db);
  await sql`create policy tenant_isolation on collaboration_presence using (org_id = ${ORG}) with check (org_id = ${ORG})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("collaboration_presence").execute();
}
