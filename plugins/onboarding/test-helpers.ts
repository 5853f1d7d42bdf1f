/**
 * Test set-up for onboarding: a kernel on a fresh database that works jobs (or not), whose log
 * lines are kept so a test can prove what never reaches them, and whose close() drops the
 * warehouses its orgs got.
 */
import { Writable } from "node:stream";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createTestDatabase, testConfig } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import { closeDataRuntime, configureDataRuntime } from "../data/runtime";
import { dropAllWarehouses } from "../data/test-helpers";
import { configureOnboarding, type OnboardingSettings } from "./worker";
import { onboardingDb, type RunRow } from "./tables";

export async function bootOnboardingKernel(options: { workJobs?: boolean; url?: string; settings?: Partial<OnboardingSettings> } = {}) {
  const database = options.url ? { url: options.url, drop: async () => {} } : await createTestDatabase();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const kernel = await bootKernel({ config: testConfig(database.url, { LOG_LEVEL: "debug" }), plugins: testPlugins, workJobs: options.workJobs ?? false, log: createLogger("debug", sink) });
  await configureDataRuntime(kernel, { allowPrivateHosts: true });
  if (options.settings) configureOnboarding(kernel, options.settings);
  return {
    kernel,
    url: database.url,
    logLines,
    async close() {
      await closeDataRuntime(kernel);
      if (!options.url) await dropAllWarehouses(kernel);
      await kernel.stop();
      await database.drop();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runRow(kernel: Kernel, runId: string): Promise<RunRow> {
  return onboardingDb(kernel.ownerDb).selectFrom("onboarding_task_runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow();
}

/** Waits until a run has finished (succeeded, failed or cancelled) and returns it. */
export function finishedRun(kernel: Kernel, runId: string, timeoutMs = 60_000): Promise<RunRow> {
  return eventually(async () => {
    const row = await runRow(kernel, runId);
    return ["succeeded", "failed", "cancelled"].includes(row.status) ? row : null;
  }, timeoutMs, `run ${runId} finished`);
}
