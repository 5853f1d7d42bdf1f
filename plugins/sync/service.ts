/**
 * The app's side of sync: machines (sources) registered idempotently by (local project id,
 * machine id), what the app shows of each dataset (refreshed after every batch), and the
 * per-org rows-per-minute budget. Plain functions over a scoped database handle.
 */
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { notFound } from "~/kernel/errors";

export type SyncTables = {
  sync_sources: {
    id: Generated<string>;
    org_id: string;
    project_key: string;
    machine_id: string;
    name: string;
    created_by: string | null;
    created_at: Generated<Date>;
    last_sync_at: Date | null;
    last_cursor: string | null;
    rows_sent: ColumnType<string, string | undefined, string>;
  };
  sync_datasets: {
    org_id: string;
    name: string;
    key_columns: string[] | null;
    column_count: number;
    row_count: string;
    batches: string;
    last_sync_at: Date | null;
    last_source_id: string | null;
    created_at: Generated<Date>;
  };
};

export type SyncDb = Kysely<KernelDatabase & SyncTables>;

export function syncDb(db: Kysely<KernelDatabase>): SyncDb {
  return db.withTables<SyncTables>();
}

export interface SourceView {
  id: string;
  projectKey: string;
  machineId: string;
  name: string;
  createdAt: Date;
  lastSyncAt: Date | null;
  lastCursor: string | null;
  rowsSent: number;
  /** Seconds since the machine's last batch (null before its first). */
  lagSeconds: number | null;
}

function sourceView(row: { id: string; project_key: string; machine_id: string; name: string; created_at: Date; last_sync_at: Date | null; last_cursor: string | null; rows_sent: string }, now: number): SourceView {
  return {
    id: row.id,
    projectKey: row.project_key,
    machineId: row.machine_id,
    name: row.name,
    createdAt: row.created_at,
    lastSyncAt: row.last_sync_at,
    lastCursor: row.last_cursor,
    rowsSent: Number(row.rows_sent),
    lagSeconds: row.last_sync_at ? Math.max(0, Math.round((now - row.last_sync_at.getTime()) / 1000)) : null,
  };
}

/** Registers (or finds) the machine's local project; the name is refreshed. Idempotent. */
export async function registerSource(
  db: Kysely<KernelDatabase>,
  orgId: string,
  userId: string,
  input: { projectKey: string; machineId: string; name: string },
): Promise<SourceView & { created: boolean }> {
  const row = await syncDb(db)
    .insertInto("sync_sources")
    .values({ org_id: orgId, project_key: input.projectKey, machine_id: input.machineId, name: input.name, created_by: userId })
    .onConflict((oc) => oc.columns(["org_id", "project_key", "machine_id"]).doUpdateSet({ name: input.name }))
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as("created"))
    .executeTakeFirstOrThrow();
  return { ...sourceView(row, Date.now()), created: row.created };
}

export async function listSources(db: Kysely<KernelDatabase>, orgId: string): Promise<SourceView[]> {
  const rows = await syncDb(db).selectFrom("sync_sources").selectAll().where("org_id", "=", orgId).orderBy("name").orderBy("id").limit(500).execute();
  const now = Date.now();
  return rows.map((r) => sourceView(r, now));
}

/** The source with this id in the org (404 otherwise). */
export async function sourceInOrg(db: Kysely<KernelDatabase>, orgId: string, sourceId: string): Promise<SourceView> {
  const row = await syncDb(db).selectFrom("sync_sources").selectAll().where("org_id", "=", orgId).where("id", "=", sourceId).executeTakeFirst();
  if (!row) throw notFound("Source not found: register this machine first (POST /api/v1/sources).");
  return sourceView(row, Date.now());
}

export interface DatasetView {
  name: string;
  keyColumns: string[] | null;
  columnCount: number;
  rowCount: number;
  batches: number;
  lastSyncAt: Date | null;
  /** The machine that sent the last batch (its name and machine id), if a source was named. */
  lastSource: { id: string; name: string; machineId: string } | null;
}

export async function listDatasets(db: Kysely<KernelDatabase>, orgId: string): Promise<DatasetView[]> {
  const rows = await syncDb(db)
    .selectFrom("sync_datasets as d")
    .leftJoin("sync_sources as s", "s.id", "d.last_source_id")
    .select(["d.name", "d.key_columns", "d.column_count", "d.row_count", "d.batches", "d.last_sync_at", "s.id as source_id", "s.name as source_name", "s.machine_id"])
    .where("d.org_id", "=", orgId)
    .orderBy("d.name")
    .limit(1000)
    .execute();
  return rows.map((r) => ({
    name: r.name,
    keyColumns: r.key_columns,
    columnCount: r.column_count,
    rowCount: Number(r.row_count),
    batches: Number(r.batches),
    lastSyncAt: r.last_sync_at,
    lastSource: r.source_id ? { id: r.source_id, name: r.source_name!, machineId: r.machine_id! } : null,
  }));
}

/** After a batch committed in the warehouse: what the app shows of the dataset and the source. */
export async function recordBatch(
  db: Kysely<KernelDatabase>,
  orgId: string,
  input: { dataset: string; keyColumns: string[] | null; columnCount: number; rowCount: number; accepted: number; sourceId: string | null; cursor: string | null },
): Promise<void> {
  await syncDb(db)
    .insertInto("sync_datasets")
    .values({
      org_id: orgId,
      name: input.dataset,
      key_columns: input.keyColumns,
      column_count: input.columnCount,
      row_count: String(input.rowCount),
      batches: "1",
      last_sync_at: new Date(),
      last_source_id: input.sourceId,
    })
    .onConflict((oc) =>
      oc.columns(["org_id", "name"]).doUpdateSet((eb) => ({
        key_columns: input.keyColumns,
        column_count: input.columnCount,
        row_count: String(input.rowCount),
        batches: sql`${eb.ref("sync_datasets.batches")} + 1`,
        last_sync_at: new Date(),
        last_source_id: input.sourceId ? input.sourceId : eb.ref("sync_datasets.last_source_id"),
      })),
    )
    .execute();
  if (input.sourceId) {
    await syncDb(db)
      .updateTable("sync_sources")
      .set((eb) => ({
        last_sync_at: new Date(),
        last_cursor: input.cursor ?? eb.ref("last_cursor"),
        rows_sent: sql`rows_sent + ${input.accepted}`,
      }))
      .where("org_id", "=", orgId)
      .where("id", "=", input.sourceId)
      .execute();
  }
}

/**
 * Takes `rows` from the org's rows-per-minute budget (a fixed window shared by every instance,
 * in the kernel's rate_limits table). A batch that does not fit takes nothing.
 */
export async function takeRows(db: Kysely<KernelDatabase>, orgId: string, rows: number, perMinute: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  const key = `sync:rows:${orgId}`;
  const { rows: taken } = await sql<{ count: number }>`
    insert into rate_limits as r (key, window_start, count) values (${key}, now(), ${rows})
    on conflict (key) do update set
      count = case when r.window_start <= now() - interval '60 seconds' then excluded.count else r.count + excluded.count end,
      window_start = case when r.window_start <= now() - interval '60 seconds' then now() else r.window_start end
    where r.window_start <= now() - interval '60 seconds' or r.count + excluded.count <= ${perMinute}
    returning count`.execute(db);
  if (taken.length) return { allowed: true };
  const window = await db.selectFrom("rate_limits").select("window_start").where("key", "=", key).executeTakeFirst();
  const resetAt = (window?.window_start.getTime() ?? Date.now()) + 60_000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - Date.now()) / 1000)) };
}
