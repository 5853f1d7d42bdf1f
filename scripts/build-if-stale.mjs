#!/usr/bin/env node
/**
 * Builds the app (scripts/build.mjs) unless `.output/server/index.mjs` is newer than every
 * input: src/, plugins/, db/, public/, app.config.ts, package-lock.json and the build script.
 * The browser tests run against the built server, so they must never test a stale build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const output = path.join(root, ".output", "server", "index.mjs");
const inputs = ["src", "plugins", "db", "public", "app.config.ts", "package-lock.json", "scripts/build.mjs", "scripts/build-offline-viewer.mjs"];

/** The newest modification time under `target` (a file or a folder), and the file that has it. */
function newest(target) {
  if (!existsSync(target)) return { mtime: 0, file: null };
  const stat = statSync(target);
  if (!stat.isDirectory()) return { mtime: stat.mtimeMs, file: target };
  let best = { mtime: stat.mtimeMs, file: target };
  for (const entry of readdirSync(target)) {
    const found = newest(path.join(target, entry));
    if (found.mtime > best.mtime) best = found;
  }
  return best;
}

/**
 * When the last successful build *started* (written by this script when it ends): an input edited
 * while a build ran is newer than that, so the next call builds again.
 */
const stamp = path.join(root, ".output", ".build-started");

function reason() {
  if (!existsSync(output)) return "no build yet";
  const built = existsSync(stamp) ? Number(readFileSync(stamp, "utf8")) || 0 : statSync(output).mtimeMs;
  for (const input of inputs) {
    const found = newest(path.join(root, input));
    if (found.mtime > built) return `${path.relative(root, found.file)} changed since the last build`;
  }
  return null;
}

/**
 * One build at a time per checkout: two `vinxi build`s in one folder overwrite each other's
 * output. A lock older than ten minutes is a leftover of a killed build and is taken over.
 */
const lock = path.join(root, ".output.lock");
async function acquireLock() {
  for (let waited = 0; ; waited += 1000) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited === 0) console.log("Another build is running in this checkout; waiting for it…");
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

await acquireLock();
let status = 0;
try {
  const why = reason();
  if (why) {
    console.log(`Building (${why})…`);
    const started = Date.now();
    const result = spawnSync(process.execPath, [path.join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
    status = result.status ?? 1;
    if (status === 0) writeFileSync(stamp, String(started));
  } else {
    console.log("Build is up to date.");
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
process.exit(status);
