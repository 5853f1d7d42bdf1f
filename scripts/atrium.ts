#!/usr/bin/env tsx
/** Entry point of `npm run atrium -- <command>`; see scripts/cli.ts. */
import { plugins } from "~/plugins";
import { runCli } from "./cli";

process.exitCode = await runCli(process.argv.slice(2), { plugins });
