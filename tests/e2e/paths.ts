/** Where the browser tests find the built server and the browser. No imports: global setup reads it. */
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const SERVER_ENTRY = path.join(ROOT, ".output", "server", "index.mjs");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
