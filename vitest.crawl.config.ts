import path from "node:path";
import { defineConfig } from "vitest/config";

/** The crawl (tests/crawl): every page as every role, on the built server in Debian's Chromium. */
export default defineConfig({
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "src") } },
  test: {
    include: ["tests/crawl/**/*.test.ts"],
    globalSetup: ["tests/e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    // The whole crawl runs in one hook; CRAWL_TIMEOUT_MS raises the limit on a busy machine.
    hookTimeout: Number(process.env.CRAWL_TIMEOUT_MS ?? 600_000),
    pool: "forks",
  },
});
