import type { Generated, Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type ExampleTables = {
  example_notes: { id: Generated<string>; org_id: string; body: string; created_by: string; created_at: Generated<Date> };
  example_digests: { org_id: string; note_count: number; computed_at: Date };
};

export type ExampleDb = Kysely<KernelDatabase & ExampleTables>;

/** The kernel's tables and the plugin's, on any kernel handle (a request's transaction, `kernel.withScope`). */
export function exampleDb(db: Kysely<KernelDatabase>): ExampleDb {
  return db.withTables<ExampleTables>();
}

export async function addNote(db: ExampleDb, orgId: string, userId: string, body: string) {
  return db
    .insertInto("example_notes")
    .values({ org_id: orgId, body, created_by: userId })
    .returning(["id", "body", "created_at"])
    .executeTakeFirstOrThrow();
}

export async function listNotes(db: ExampleDb, orgId: string) {
  return db
    .selectFrom("example_notes")
    .select(["id", "body", "created_at"])
    .where("org_id", "=", orgId)
    .orderBy("created_at", "desc")
    .execute();
}

/** Counts an org's notes into example_digests: the job's work. */
export async function computeDigest(db: ExampleDb, orgId: string): Promise<number> {
  const { count } = await db
    .selectFrom("example_notes")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("org_id", "=", orgId)
    .executeTakeFirstOrThrow();
  await db
    .insertInto("example_digests")
    .values({ org_id: orgId, note_count: Number(count), computed_at: new Date() })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ note_count: Number(count), computed_at: new Date() }))
    .execute();
  return Number(count);
}
