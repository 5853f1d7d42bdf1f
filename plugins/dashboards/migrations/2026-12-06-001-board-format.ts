import { sql, type Kysely } from "kysely";

// Frozen in time: this migration never imports application types.
//
// A dashboard's format: its YAML is Atrium's own document ('atrium') or a dbt Charts board
// ('dbt-charts'), stored as written. Set when the dashboard is created, never changed.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table dashboards_dashboards add column format text not null default 'atrium' check (format in ('atrium', 'dbt-charts'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table dashboards_dashboards drop column format`.execute(db);
}
