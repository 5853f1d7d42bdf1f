/**
 * Migrations: the kernel's (db/migrations) first, then each plugin's in list order, each
 * named `<owner>/<name>` and run once. All pending migrations run in one transaction under an
 * advisory lock, so concurrent starts wait for each other and a failing migration leaves the
 * database exactly as it was.
 *
 * (Kysely's Migrator sorts pending migrations alphabetically, which would run a plugin's
 * migrations before the kernel tables they reference; hence this small runner. Migrations
 * keep Kysely's `{ up, down }` shape.)
 */
import { sql, type Kysely, type Migration } from "kysely";
import { kernelMigrations } from "../../db/migrations";
import type { AnyPlugin } from "./plugin";

export const MIGRATION_TABLE = "atrium_migrations";
/** Advisory lock key: "atrium-migrate" folded into a 32-bit integer. */
const MIGRATION_LOCK = 0x61747231;

/** Thrown when a migration fails; names it. */
export class MigrationError extends Error {
  override name = "MigrationError";
  constructor(
    readonly migration: string,
    readonly original: unknown,
  ) {
    const reason = original instanceof Error ? original.message : String(original);
    super(`Migration "${migration}" failed: ${reason}. The database was left as it was.`);
  }
}

/** Every migration of the kernel and `plugins`, in run order, named `<owner>/<name>`. */
export function collectMigrations(plugins: readonly AnyPlugin[]): Array<{ name: string; migration: Migration }> {
  const owned: Array<[string, Readonly<Record<string, Migration>>]> = [
    ["kernel", kernelMigrations],
    ...plugins.map((p): [string, Readonly<Record<string, Migration>>] => [p.id, p.migrations ?? {}]),
  ];
  return owned.flatMap(([owner, migrations]) =>
    Object.keys(migrations)
      .sort()
      .map((name) => ({ name: `${owner}/${name}`, migration: migrations[name]! })),
  );
}

async function ensureTable(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists ${sql.table(MIGRATION_TABLE)} (
    id bigint generated always as identity,
    name text primary key,
    executed_at timestamptz not null default now()
  )`.execute(db);
}

async function executedNames(db: Kysely<any>): Promise<Set<string>> {
  const rows = await db.selectFrom(MIGRATION_TABLE).select("name").execute();
  return new Set(rows.map((r: { name: string }) => r.name));
}

/** Runs every pending migration. Returns the names it ran, in order. */
export async function migrateToLatest(db: Kysely<any>, plugins: readonly AnyPlugin[]): Promise<string[]> {
  const all = collectMigrations(plugins);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await ensureTable(trx);
    const done = await executedNames(trx);
    const ran: string[] = [];
    for (const { name, migration } of all) {
      if (done.has(name)) continue;
      try {
        await migration.up(trx);
      } catch (err) {
        throw new MigrationError(name, err);
      }
      await trx.insertInto(MIGRATION_TABLE).values({ name }).execute();
      ran.push(name);
    }
    return ran;
  });
}

/** Every known migration and when it ran (null: pending). */
export async function migrationStatus(
  db: Kysely<any>,
  plugins: readonly AnyPlugin[],
): Promise<Array<{ name: string; executedAt: Date | null }>> {
  await ensureTable(db);
  const rows = (await db.selectFrom(MIGRATION_TABLE).select(["name", "executed_at"]).execute()) as Array<{ name: string; executed_at: Date }>;
  const at = new Map(rows.map((r) => [r.name, r.executed_at]));
  return collectMigrations(plugins).map(({ name }) => ({ name, executedAt: at.get(name) ?? null }));
}
