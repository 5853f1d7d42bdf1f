/**
 * The kernel: boots Atrium from a config and the static plugin list.
 *
 * Boot order: validate the plugin list → open the database (embedded when no DATABASE_URL) →
 * run migrations under a lock → start events (LISTEN/NOTIFY) and jobs (pg-boss) → run each
 * plugin's `init`. Any failure stops the boot with a message that names its cause.
 */
import type { AnyRouter } from "@trpc/server";
import { CapabilityRegistry } from "./capabilities";
import type { AtriumConfig } from "./config";
import { openDatabase, resolveDatabaseUrl, type Db, type DatabaseHandle } from "./db/database";
import { appRoleUrl, grantJobAccess, provisionAppRole, tablesMissingRls } from "./db/roles";
import type { Transaction } from "kysely";
import type { KernelDatabase } from "./db/schema";
import { withScope, type Scope } from "./scope";
import { deriveKey, resolveSecret } from "./secret";
import { EventBus, type EventName } from "./events";
import { housekeepingJob } from "./housekeeping";
import { JobRunner } from "./jobs";
import { createLogger, type Logger } from "./log";
import { Mailer } from "./mail";
import { Metrics } from "./metrics";
import { migrateToLatest } from "./migrator";
import { signInProviders } from "./auth/providers";
import { AuthCache } from "./auth/cache";
import { camelCase, type AnyPlugin } from "./plugin";
import { httpRouteProblems } from "./http/routes";
import { Tenancy } from "./tenancy/roles";
import { kernelCapabilities } from "./tenancy/capabilities";

/** Router keys the kernel mounts itself. */
export const RESERVED_ROUTER_KEYS = ["kernel", "auth", "orgs", "projects", "audit", "signIn"];
import { accessProblems } from "./trpc";

export interface Kernel {
  readonly config: AtriumConfig;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** The app's connection (role atrium_app): row-level security binds every query. */
  readonly db: Db;
  /** The owner's connection: migrations, maintenance and CLI administration only. */
  readonly ownerDb: Db;
  readonly database: DatabaseHandle;
  /** The root secret (ATRIUM_SECRET or the generated one); derive keys with deriveKey(). */
  readonly secret: string;
  /** Runs `fn` in a transaction of the app connection under a tenant scope. */
  withScope<T>(scope: Scope, fn: (trx: Transaction<KernelDatabase>) => Promise<T>): Promise<T>;
  readonly events: EventBus;
  readonly jobs: JobRunner<Kernel>;
  readonly capabilities: CapabilityRegistry;
  readonly tenancy: Tenancy;
  /** Sessions, tokens, memberships and sign-in policies, cached per instance (src/kernel/auth/cache.ts). */
  readonly authCache: AuthCache;
  readonly mailer: Mailer;
  readonly plugins: readonly AnyPlugin[];
  /** Stops jobs, events and the database (and embedded PostgreSQL if this process started it). */
  stop(): Promise<void>;
}

/** Thrown when the plugin list is inconsistent; the message says what to change. */
export class PluginListError extends Error {
  override name = "PluginListError";
}

/**
 * Checks the plugin list: unique ids, `requires` present and earlier, no duplicate
 * capabilities or jobs, HTTP routes on paths of their own (not the kernel's, not another
 * plugin's), every procedure public or guarded by a declared capability.
 * Returns the capability registry.
 */
export function validatePlugins(plugins: readonly AnyPlugin[]): CapabilityRegistry {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  plugins.forEach((plugin, index) => {
    if (seen.has(plugin.id)) problems.push(`plugin "${plugin.id}" is listed twice`);
    seen.set(plugin.id, index);
    if (RESERVED_ROUTER_KEYS.includes(camelCase(plugin.id))) problems.push(`plugin id "${plugin.id}" is reserved for the kernel`);
  });
  plugins.forEach((plugin, index) => {
    for (const required of plugin.requires ?? []) {
      const at = seen.get(required);
      if (at === undefined) problems.push(`plugin "${plugin.id}" requires "${required}", which is not installed`);
      else if (at > index) problems.push(`plugin "${plugin.id}" requires "${required}", which must come before it in src/plugins.ts`);
    }
  });
  const capabilities = new CapabilityRegistry();
  for (const cap of kernelCapabilities) capabilities.register("kernel", cap);
  const jobs = new Set<string>();
  for (const plugin of plugins) {
    for (const cap of plugin.capabilities ?? []) {
      try {
        capabilities.register(plugin.id, cap);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    for (const job of plugin.jobs ?? []) {
      if (jobs.has(job.name)) problems.push(`job "${job.name}" is declared twice (plugin "${plugin.id}")`);
      jobs.add(job.name);
    }
  }
  problems.push(...httpRouteProblems(plugins));
  for (const plugin of plugins) {
    if (!plugin.router) continue;
    for (const p of accessProblems(plugin.router as AnyRouter, (id) => capabilities.has(id))) {
      problems.push(`plugin "${plugin.id}": ${p}`);
    }
  }
  if (problems.length) {
    throw new PluginListError(`The plugin list is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return capabilities;
}

export interface BootOptions {
  config: AtriumConfig;
  plugins: readonly AnyPlugin[];
  /** Work jobs in this process (default: config.webJobs). */
  workJobs?: boolean;
  /** Run migrations at boot (default true). */
  migrate?: boolean;
  log?: Logger;
  /** Start events and jobs (default true; `db:*` commands need neither). */
  services?: boolean;
  /** Collect process metrics (the long-running server does; tests do not). */
  defaultMetrics?: boolean;
  /** When embedded PostgreSQL cannot be brought back (default: log, stop, exit 1). */
  onDatabaseLost?: (error: Error) => void;
}

/** Boots a kernel. On failure everything already opened is closed again. */
export async function bootKernel(options: BootOptions): Promise<Kernel> {
  const { config, plugins } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const capabilities = validatePlugins(plugins);
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? false });

  let stopKernel: (() => Promise<void>) | null = null;
  const { url, embedded } = await resolveDatabaseUrl(config, (m) => log.debug({ component: "postgres" }, m), {
    // Embedded PostgreSQL died and could not be brought back: exit non-zero, so whatever
    // supervises the app (systemd, a container runtime) restarts it.
    onGiveUp: options.onDatabaseLost ?? ((err) => {
      log.fatal({ err: err.message }, "embedded PostgreSQL is gone; exiting");
      void (stopKernel?.() ?? Promise.resolve()).finally(() => process.exit(1));
    }),
  });
  if (embedded) log.info({ owned: embedded.owned }, embedded.owned ? "started embedded PostgreSQL" : "using the running embedded PostgreSQL");
  const services = options.services ?? true;
  // Writes through either pool empty this instance's auth cache at once; other instances hear of them by NOTIFY.
  const authCache = new AuthCache(services ? url : null, log.child({ component: "auth-cache" }));
  const database = openDatabase(url, { embedded, max: 5, plugins: [authCache.writeFence()], preparedStatements: config.databasePreparedStatements });
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  const jobs = new JobRunner<Kernel>(url, log.child({ component: "jobs" }), metrics);
  // pg-boss's own start-up (its schema, its connections: about half a second) runs alongside
  // the migrations and checks below; `jobs.start` awaits it. Stopped with the events further
  // down; this early stop only matters when the boot fails before then (a no-op after).
  const jobsOpened = services ? jobs.open() : null;
  jobsOpened?.catch(() => {}); // awaited by jobs.start; a failure there fails the boot
  cleanups.push(() => jobs.stop());

  try {
    if (options.migrate ?? true) {
      const ran = await migrateToLatest(database.db, plugins);
      if (ran.length) log.info({ migrations: ran }, "ran migrations");
    }
    const unguarded = await tablesMissingRls(database.db);
    if (unguarded.length) {
      throw new Error(
        `Tables with org_id but no row-level security policy: ${unguarded.join(", ")}. Enable RLS and add a policy on app.org_id in their migration (see CONTRIBUTING.md).`,
      );
    }
    const secret = resolveSecret(config);
    const appPassword = deriveKey(secret, "db-role:atrium_app").toString("hex");
    await provisionAppRole(database.db, appPassword);
    const app = openDatabase(appRoleUrl(url, appPassword), { max: 20, plugins: [authCache.writeFence()], preparedStatements: config.databasePreparedStatements });
    cleanups.push(() => app.close());
    cleanups.push(() => authCache.stop());
    const events = new EventBus(url, app.db, log.child({ component: "events" }));
    // Stopped together, before the database closes; both stop listening at once.
    cleanups.push(() => Promise.all([events.stop(), jobs.stop()]).then(() => {}));
    if (services) await Promise.all([events.start(), authCache.start()]);

    jobs.register(housekeepingJob);
    for (const plugin of plugins) for (const job of plugin.jobs ?? []) jobs.register(job);

    let stopping: Promise<void> | null = null;
    const kernel: Kernel = {
      config,
      log,
      metrics,
      db: app.db,
      ownerDb: database.db,
      database,
      secret,
      withScope: (scope, fn) => withScope(app.db, scope, fn),
      events,
      jobs,
      capabilities,
      tenancy: new Tenancy(app.db, authCache),
      authCache,
      mailer: new Mailer(config.smtpUrl, config.mailFrom, log.child({ component: "mail" })),
      plugins,
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
    stopKernel = () => kernel.stop();

    if (services) {
      await jobs.start({ kernel, work: options.workJobs ?? config.webJobs });
      await grantJobAccess(database.db);
    }

    for (const plugin of plugins) {
      for (const [name, handler] of Object.entries(plugin.on ?? {})) {
        events.on(name as EventName, (event) => (handler as (e: typeof event, k: Kernel) => Promise<void>)(event, kernel));
      }
    }
    // Plugins stop first (reverse order), while the database is still open.
    cleanups.push(async () => {
      for (const plugin of [...plugins].reverse()) {
        await Promise.resolve(plugin.stop?.({ kernel })).catch((err: unknown) => log.warn({ plugin: plugin.id, err: String(err) }, "plugin stop failed"));
      }
    });
    for (const plugin of plugins) {
      try {
        await plugin.init?.({ kernel });
      } catch (err) {
        throw new Error(`Plugin "${plugin.id}" failed to initialise: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // Sign-in providers share one URL space (/auth/<id>/…): two with one id stop the boot.
    signInProviders(plugins);
    if (services) await events.emit("kernel.instance.started", { instanceId: events.instanceId });
    return kernel;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
