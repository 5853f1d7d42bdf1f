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

export const TEMPLATE_DB = "atrium_test_template";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
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
  // Leftovers of an earlier, interrupted run.
  const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'atrium_test_%'");
  for (const { datname } of rows) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const kernel = await bootKernel({
    config: loadConfig({ DATABASE_URL: withDatabase(adminUrl, TEMPLATE_DB), LOG_LEVEL: "silent", NODE_ENV: "test" }),
    plugins: testPlugins,
    workJobs: false,
    log: createLogger("silent"),
  });
  await kernel.stop();
  project.provide("adminUrl", adminUrl);
}

export async function teardown() {
  await embedded?.stop();
}
