/**
 * Transaction-scoped advisory locks, for checks PostgreSQL cannot make itself: "at most N rows
 * of this kind per org (or per person)". Two calls that each count N - 1 rows and insert one
 * would otherwise both pass; under the lock the second one counts after the first commits.
 *
 *     await lockForTransaction(db, `atrium:data-sources:${orgId}`);
 *     const held = await countRows(…);
 *     if (held >= LIMIT) throw fieldError(…);
 *     await insert(…);
 *
 * The lock is held until the transaction ends (commit or rollback), across every instance.
 */
import { sql, type QueryExecutorProvider } from "kysely";

/**
 * Waits for, then takes, the advisory lock named `key` (`atrium:<what>:<id>`) until the end of
 * `db`'s transaction. `db` must be a transaction: outside one the lock would end with the
 * statement, before the write it guards, so that is refused rather than silently allowed.
 */
export async function lockForTransaction(db: QueryExecutorProvider & { readonly isTransaction: boolean }, key: string): Promise<void> {
  if (!db.isTransaction) throw new Error(`The lock "${key}" is transaction-scoped: take it inside a transaction.`);
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db);
}
