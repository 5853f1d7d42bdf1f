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
    // The whole crawl runs in one hook (about 220 visits took over ten minutes on two cores);
    // CRAWL_TIMEOUT_MS sets another limit.
    hookTimeout: Number(process.env.CRAWL_TIMEOUT_MS ?? 1_800_000),
    pool: "forks",
  },
});
