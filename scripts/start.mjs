#!/usr/bin/env node
/**
 * `npm start`: build when the sources are newer than the last build, then run the server.
 * With no DATABASE_URL the server starts embedded PostgreSQL under ATRIUM_DATA_DIR (./.data).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const build = spawnSync(process.execPath, [path.join(root, "scripts", "build-if-stale.mjs")], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
process.env.NODE_ENV ??= "production";
await import(pathToFileURL(path.join(root, ".output", "server", "index.mjs")).href);
