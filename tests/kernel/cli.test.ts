import { runCliOn } from "../setup/cli";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { collectMigrations } from "~/kernel/migrator";
import { parseArgs, runCli } from "../../scripts/cli";
import { createTestDatabase } from "../setup/database";
import { testPlugins } from "../setup/plugins";
import { asUser, createOrg, createUser } from "../setup/fixtures";
import { bootTestKernel } from "../setup/database";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(async () => database?.drop());

const cli = (args: string[], url = database.url) => runCliOn(url, args);

test("parses flags, inline values and positionals", () => {
  expect(parseArgs(["warehouse:import", "--org", "acme", "--append", "--table=t1", "extra"])).toEqual({
    command: "warehouse:import",
    flags: { org: "acme", append: true, table: "t1" },
    positionals: ["extra"],
  });
});

test("db:status lists pending migrations, db:migrate runs them once", async () => {
  const before = await cli(["db:status"]);
  expect(before.code).toBe(0);
  expect(before.out).toContain("pending  kernel/2026-11-23-001-tenancy");
  expect(before.out).toContain("pending  example/2026-11-23-001-notes");

  const migrate = await cli(["db:migrate"]);
  expect(migrate.out).toContain(`Ran ${collectMigrations(testPlugins).length} migration(s)`);
  expect((await cli(["db:migrate"])).out).toBe("Database is up to date.");
  expect((await cli(["db:status"])).out).toMatch(/applied {2}example\/2026-11-23-001-notes/);
});

test("plugin commands run against the app's database", async () => {
  const k = await bootTestKernel();
  try {
    const user = await createUser(k.kernel);
    const org = await createOrg(k.kernel, [{ userId: user.id, role: "owner" }]);
    await asUser(k.kernel, user.id).example.notes.add({ orgId: org.id, body: "one" });
    const result = await cli(["example:count"], k.url);
    expect(result.out).toBe(`${org.id}\t1`);
  } finally {
    await k.close();
  }
});

test("unknown commands and bad configuration fail with a clear message", async () => {
  const unknown = await cli(["db:explode"]);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('Unknown command "db:explode"');
  const bad = await runCli(["db:status"], { plugins: testPlugins, print: () => {}, printError: (l) => expect(l).toContain("PORT"), env: { PORT: "http" } });
  expect(bad).toBe(1);
});

test("the real entry point prints help listing kernel commands", () => {
  const result = spawnSync("npx", ["tsx", "scripts/atrium.ts", "--help"], { encoding: "utf8" });
  expect(result.status).toBe(0);
  for (const cmd of ["db:migrate", "db:status", "worker"]) expect(result.stdout).toContain(cmd);
});
