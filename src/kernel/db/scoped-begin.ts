/**
 * The tenant scope sent with the transaction's start, in one round trip with the first statement.
 *
 * The kernel's driver below starts every plain transaction with a BEGIN that waits for the
 * transaction's first statement (./deferred-begin.ts). `scopedTransaction(db, scope, fn)` then
 * sends the scope, `select set_config(…)` with the ids as literals, marked to wait as well: a pool
 * of DeferredBeginClient sends BEGIN, the scope and the first statement as one message. Nothing
 * is carried across `await`s (no AsyncLocalStorage, whose promise hooks cost every promise of the
 * process), and on a handle without this driver or client the same statements simply run one
 * after the other.
 *
 * Only ids go in as literals (UUIDs, checked here); anything else is set by a parameterized
 * statement instead, so the literals cannot carry SQL.
 */
import { CompiledQuery, PostgresDialect, type DatabaseConnection, type Driver, type Kysely, type QueryCompiler, type Transaction, type TransactionSettings } from "kysely";
import { DEFERRED_BEGIN } from "./deferred-begin";

export interface BeginScope {
  userId: string | null;
  orgId: string | null;
}

const ID = /^[0-9a-fA-F-]{1,64}$/;

function literal(value: string | null): string | null {
  if (value === null || value === "") return "''";
  return ID.test(value) ? `'${value}'` : null;
}

/** The statement setting a scope with literals, or null when a value is not an id. */
export function scopeSql(scope: BeginScope): string | null {
  const user = literal(scope.userId);
  const org = literal(scope.orgId);
  if (user === null || org === null) return null;
  return `select set_config('app.user_id', ${user}, true), set_config('app.org_id', ${org}, true)`;
}

const DEFERRED_BEGIN_QUERY = CompiledQuery.raw(`${DEFERRED_BEGIN}begin`);

class DeferredBeginDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init() {
    return this.inner.init();
  }
  acquireConnection() {
    return this.inner.acquireConnection();
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // A plain BEGIN waits for the transaction's first statement (./deferred-begin.ts).
    if (!settings.isolationLevel && !settings.accessMode) await connection.executeQuery(DEFERRED_BEGIN_QUERY);
    else await this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(connection);
  }
  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return this.inner.savepoint!(connection, name, compile);
  }
  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return this.inner.rollbackToSavepoint!(connection, name, compile);
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]) {
    return this.inner.releaseSavepoint!(connection, name, compile);
  }
  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection(connection);
  }
  destroy() {
    return this.inner.destroy();
  }
}

/** PostgreSQL for Kysely, each plain BEGIN sent with the transaction's first statement. */
export class DeferredBeginDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new DeferredBeginDriver(super.createDriver());
  }
}

/**
 * Runs `fn` in a transaction under `scope`: set by a statement that travels with BEGIN and the
 * first statement of `fn` when the values are ids, else by `apply` (parameterized).
 */
export async function scopedTransaction<DB, T>(
  db: Kysely<DB>,
  scope: BeginScope,
  apply: (trx: Transaction<DB>, scope: BeginScope) => Promise<void>,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const text = scopeSql(scope);
  return db.transaction().execute(async (trx) => {
    if (text === null) await apply(trx, scope);
    else await trx.executeQuery(CompiledQuery.raw(DEFERRED_BEGIN + text));
    return fn(trx);
  });
}
