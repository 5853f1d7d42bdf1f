#!/usr/bin/env node
/**
 * Makes sure the browser tests have a Chromium before anything else runs, so `npm test` works on
 * a fresh machine by itself: CHROMIUM_PATH (or Debian's /usr/bin/chromium) when present;
 * otherwise, where this process may install Debian packages (root with apt-get, as on CI),
 * installs `chromium`; otherwise stops at once with the one command to run, instead of a wall of
 * browser-test failures.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";

const target = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

if (executable(target)) process.exit(0);

if (process.env.CHROMIUM_PATH) {
  console.error(`CHROMIUM_PATH is set to ${target}, which is not an executable file. Fix the path or unset it to use Debian's chromium.`);
  process.exit(1);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
if (!isRoot || !hasApt) {
  console.error(
    "The browser tests need Chromium and it is not installed.\n" +
      (hasApt ? "Run once:  sudo apt-get update && sudo apt-get install -y chromium\n" : "Install Chromium and point CHROMIUM_PATH at its executable.\n") +
      "(or set CHROMIUM_PATH to another Chromium build)",
  );
  process.exit(1);
}

console.log("--- Chromium is missing: installing Debian's chromium for the browser tests (about a minute)");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [["update", "-qq"], ["install", "-y", "-qq", "chromium"]]) {
  const run = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
  if (run.status !== 0) {
    console.error(`\`apt-get ${args.join(" ")}\` failed (exit ${run.status}). Install Chromium by hand: apt-get install -y chromium`);
    process.exit(1);
  }
}
if (!executable(target)) {
  console.error(`apt-get installed chromium but ${target} is still missing; set CHROMIUM_PATH to its executable.`);
  process.exit(1);
}
console.log(`--- Chromium installed at ${target}`);
