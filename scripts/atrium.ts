#!/usr/bin/env tsx
/**
 * Entry point of `atrium` (`npx atrium`, `npm run atrium -- <command>`). Remote commands
 * (login, sync, status, export: src/cli/remote.ts) talk to an Atrium server and load no app code;
 * `preview` serves local dashboards on local data (plugins/sync/preview/); the rest administer
 * the local database (scripts/cli.ts).
 */
import path from "node:path";
import { REMOTE_COMMANDS, runRemoteCli } from "../src/cli/remote";

const argv = process.argv.slice(2);
if (argv[0] && REMOTE_COMMANDS.has(argv[0])) {
  process.exitCode = await runRemoteCli({
    argv,
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
    isTTY: Boolean(process.stderr.isTTY),
  });
} else if (argv[0] === "preview") {
  const { runPreviewCli } = await import("../plugins/sync/preview/cli");
  process.exitCode = await runPreviewCli(argv.slice(1), {
    root: path.resolve(import.meta.dirname, ".."),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} else {
  const { plugins } = await import("~/plugins");
  const { runCli } = await import("./cli");
  process.exitCode = await runCli(argv, { plugins });
}
