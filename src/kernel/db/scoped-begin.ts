/**
 * The tenant scope sent with the transaction's start: `begin; select set_config(…)` in one round
 * trip instead of two. `scopedTransaction(db, scope, fn)` marks the transaction it starts; the
 * driver below, which wraps Kysely's PostgreSQL driver, sends the mark's scope together with
 * BEGIN (one simple-protocol message carrying both statements). The mark is taken once, by
 * that BEGIN only: a transaction the callback opens elsewhere does not inherit it.
 *
 * Only ids go in (UUIDs, checked here; anything else is sent as a separate parameterized
 * statement instead), so the literals cannot carry SQL.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  CompiledQuery,
  PostgresDialect,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type Transaction,
  type TransactionSettings,
} from "kysely";
import { DEFERRED_BEGIN } from "./deferred-begin";

export interface BeginScope {
  userId: string | null;
  orgId: string | null;
}

interface Mark {
  scope: BeginScope;
  taken: boolean;
}

const marks = new AsyncLocalStorage<Mark>();
const ID = /^[0-9a-fA-F-]{1,64}$/;

function literal(value: string | null): string | null {
  if (value === null || value === "") return "''";
  return ID.test(value) ? `'${value}'` : null;
}

/** The one-message BEGIN for a scope, or null when a value is not an id. */
export function beginWithScopeSql(scope: BeginScope): string | null {
  const user = literal(scope.userId);
  const org = literal(scope.orgId);
  if (user === null || org === null) return null;
  return `begin; select set_config('app.user_id', ${user}, true), set_config('app.org_id', ${org}, true)`;
}

class ScopedBeginDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init() {
    return this.inner.init();
  }
  acquireConnection() {
    return this.inner.acquireConnection();
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const mark = marks.getStore();
    const plain = !settings.isolationLevel && !settings.accessMode;
    const text = mark && !mark.taken && plain ? beginWithScopeSql(mark.scope) : null;
    if (mark && text) {
      mark.taken = true;
      // Marked: a pool of DeferredBeginClient sends it with the first statement (./deferred-begin.ts).
      await connection.executeQuery(CompiledQuery.raw(DEFERRED_BEGIN + text));
      return;
    }
    await this.inner.beginTransaction(connection, settings);
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

/** PostgreSQL for Kysely, with BEGIN carrying the scope of a `scopedTransaction`. */
export class ScopedBeginDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new ScopedBeginDriver(super.createDriver());
  }
}

/**
 * Runs `fn` in a transaction whose scope was set by its BEGIN (one round trip), or — on a
 * handle without the driver above — by a statement right after it. `apply` sets it then.
 */
export async function scopedTransaction<DB, T>(
  db: Kysely<DB>,
  scope: BeginScope,
  apply: (trx: Transaction<DB>, scope: BeginScope) => Promise<void>,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const mark: Mark = { scope, taken: false };
  return marks.run(mark, () =>
    db.transaction().execute(async (trx) => {
      if (!mark.taken) {
        mark.taken = true;
        await apply(trx, scope);
      }
      return fn(trx);
    }),
  );
}
