#!/usr/bin/env node
/**
 * Makes sure the tests have the programs they drive before anything else runs, so `npm test`
 * works on a fresh machine by itself: Chromium for the browser tests and the crawl
 * (CHROMIUM_PATH, or Debian's /usr/bin/chromium) and tmux for the terminal test of
 * `atrium login`. What is missing is installed where this process may install Debian packages
 * (root with apt-get, as on CI); otherwise it stops at once with the one command to run, instead
 * of a wall of test failures.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A program on PATH. */
function onPath(name) {
  return (process.env.PATH ?? "").split(":").some((dir) => dir && executable(`${dir}/${name}`));
}

if (process.env.CHROMIUM_PATH && !executable(chromium)) {
  console.error(`CHROMIUM_PATH is set to ${chromium}, which is not an executable file. Fix the path or unset it to use Debian's chromium.`);
  process.exit(1);
}

/** Debian package → whether it is needed (missing). */
const missing = [
  ["chromium", !executable(chromium)],
  ["tmux", !onPath("tmux")],
]
  .filter(([, needed]) => needed)
  .map(([pkg]) => pkg);
if (!missing.length) process.exit(0);

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
if (!isRoot || !hasApt) {
  console.error(
    `The tests need ${missing.join(" and ")}, not installed here.\n` +
      (hasApt
        ? `Run once:  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}\n`
        : `Install ${missing.join(" and ")}${missing.includes("chromium") ? " and point CHROMIUM_PATH at Chromium's executable" : ""}.\n`) +
      (missing.includes("chromium") ? "(or set CHROMIUM_PATH to another Chromium build)" : ""),
  );
  process.exit(1);
}

console.log(`--- installing Debian's ${missing.join(" and ")} for the tests (about a minute)`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...missing]]) {
  const run = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
  if (run.status !== 0) {
    console.error(`\`apt-get ${args.join(" ")}\` failed (exit ${run.status}). Install by hand: apt-get install -y ${missing.join(" ")}`);
    process.exit(1);
  }
}
if (missing.includes("chromium") && !executable(chromium)) {
  console.error(`apt-get installed chromium but ${chromium} is still missing; set CHROMIUM_PATH to its executable.`);
  process.exit(1);
}
if (missing.includes("tmux") && !onPath("tmux")) {
  console.error("apt-get installed tmux but it is not on PATH.");
  process.exit(1);
}
console.log(`--- installed: ${missing.join(", ")}`);
