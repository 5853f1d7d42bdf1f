/**
 * Tenant scope for row-level security: every request transaction tells PostgreSQL who is
 * asking (`app.user_id`) and in which org (`app.org_id`); the policies do the rest.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { KernelDatabase } from "./db/schema";
import { scopedTransaction } from "./db/scoped-begin";

export interface Scope {
  userId?: string | null;
  orgId?: string | null;
}

/** Sets the scope on a transaction (local to it: it ends with the transaction). */
export async function applyScope(trx: Kysely<KernelDatabase>, scope: Scope): Promise<void> {
  await sql`select set_config('app.user_id', ${scope.userId ?? ""}, true), set_config('app.org_id', ${scope.orgId ?? ""}, true)`.execute(trx);
}

/** Runs `fn` in a transaction on `db` under `scope` (sent with the transaction's BEGIN). */
export async function withScope<T>(
  db: Kysely<KernelDatabase>,
  scope: Scope,
  fn: (trx: Transaction<KernelDatabase>) => Promise<T>,
): Promise<T> {
  return scopedTransaction(db, { userId: scope.userId ?? null, orgId: scope.orgId ?? null }, applyScope, fn);
}
