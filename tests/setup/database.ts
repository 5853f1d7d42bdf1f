/**
 * Per-test-file databases cloned from the migrated template, and a kernel booted on one.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { loadConfig, type AtriumConfig } from "~/kernel/config";
import { withDatabase } from "~/kernel/db/embedded";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import type { AnyPlugin } from "~/kernel/plugin";
import { testPlugins } from "./plugins";

/** One secret for every test kernel: the app role's password derives from it, cluster-wide. */
export const TEST_SECRET = "test-secret-for-atrium-0123456789abcdef";

export function adminUrl(): string {
  return inject("adminUrl");
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database (from the migrated template unless `empty`) and returns its URL. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${inject("dbPrefix")}${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(options.empty ? `create database ${name}` : `create database ${name} template ${inject("templateDb")}`));
  return {
    url: withDatabase(adminUrl(), name),
    drop: () => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export function testConfig(url: string, overrides: Record<string, string> = {}): AtriumConfig {
  return loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", NODE_ENV: "test", ATRIUM_SECRET: TEST_SECRET, ...overrides });
}

/** Boots a kernel on a fresh cloned database; `close()` stops it and drops the database. */
export async function bootTestKernel(
  options: { plugins?: readonly AnyPlugin[]; workJobs?: boolean; url?: string } = {},
): Promise<{ kernel: Kernel; url: string; close: () => Promise<void> }> {
  const database = options.url ? { url: options.url, drop: async () => {} } : await createTestDatabase();
  const kernel = await bootKernel({
    config: testConfig(database.url),
    plugins: options.plugins ?? testPlugins,
    workJobs: options.workJobs ?? false,
    log: createLogger("silent"),
  });
  return {
    kernel,
    url: database.url,
    close: async () => {
      await kernel.stop();
      await database.drop();
    },
  };
}
