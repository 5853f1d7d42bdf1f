/**
 * Vitest global setup: one PostgreSQL for the whole run (DATABASE_URL's server, or an embedded
 * cluster under .test-data/), and a template database migrated once. Each test file clones the
 * template into a database of its own (tests/setup/database.ts).
 */
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { loadConfig } from "~/kernel/config";
import { startEmbeddedPostgres, withDatabase, type EmbeddedHandle } from "~/kernel/db/embedded";
import { bootKernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { testPlugins } from "./plugins";
import { TEST_SECRET } from "./database";

/**
 * Databases of this run are named `atrium_t<pid>_…`, so concurrent runs (unit and browser
 * suites, two terminals) on one cluster never drop each other's databases.
 */
const RUN_PREFIX = `atrium_t${process.pid}_`;
const TEMPLATE_DB = `${RUN_PREFIX}template`;

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    dbPrefix: string;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let embedded: EmbeddedHandle | null = null;

export async function setup(project: TestProject) {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    embedded = await startEmbeddedPostgres(path.resolve(".test-data"));
    adminUrl = embedded.adminUrl;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // Leftovers of earlier runs that were interrupted (their process is gone).
  const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname ~ '^atrium_t[0-9]+_'");
  for (const { datname } of rows) {
    const pid = Number(/^atrium_t(\d+)_/.exec(datname)![1]);
    if (pid === process.pid || !alive(pid)) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  }
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const kernel = await bootKernel({
    config: loadConfig({ DATABASE_URL: withDatabase(adminUrl, TEMPLATE_DB), LOG_LEVEL: "silent", NODE_ENV: "test", ATRIUM_SECRET: TEST_SECRET }),
    plugins: testPlugins,
    workJobs: false,
    log: createLogger("silent"),
  });
  await kernel.stop();
  project.provide("adminUrl", adminUrl);
  project.provide("templateDb", TEMPLATE_DB);
  project.provide("dbPrefix", RUN_PREFIX);
  teardownUrl = adminUrl;
}

let teardownUrl: string | null = null;

export async function teardown() {
  let othersRunning = false;
  if (teardownUrl) {
    const admin = new pg.Client({ connectionString: teardownUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where starts_with(datname, $1)", [RUN_PREFIX]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
    // Another run (a second terminal, the browser suite) still using the cluster we started:
    // leave it running for them; the next run reuses it through postmaster.pid.
    const others = await admin.query<{ datname: string }>("select datname from pg_database where datname ~ '^atrium_t[0-9]+_'");
    othersRunning = others.rows.some(({ datname }) => {
      const pid = Number(/^atrium_t(\d+)_/.exec(datname)![1]);
      return pid !== process.pid && alive(pid);
    });
    await admin.end();
  }
  if (!othersRunning) await embedded?.stop();
}
