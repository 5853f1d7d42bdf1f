import { describe, expect, test } from "vitest";
import { sql } from "kysely";
import { z } from "zod";
import { defineCapability } from "~/kernel/capabilities";
import { bootKernel, validatePlugins } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { definePlugin } from "~/kernel/plugin";
import { accessProblems, createTRPCRouter, proceduresOf, publicProcedure } from "~/kernel/trpc";
import { testPlugins } from "../setup/plugins";
import { t as baseT } from "../setup/raw-trpc";
import { createTestDatabase, testConfig } from "../setup/database";
import { examplePlugin } from "../example-plugin";

const a = definePlugin({ id: "alpha" });
const b = definePlugin({ id: "beta", requires: ["alpha"] });

describe("definePlugin", () => {
  test("rejects ids that are not kebab-case", () => {
    expect(() => definePlugin({ id: "Bad_Id" })).toThrow(/kebab-case/);
    expect(() => definePlugin({ id: "-x" })).toThrow(/kebab-case/);
  });

  test("rejects migration names without a date prefix", () => {
    expect(() => definePlugin({ id: "m", migrations: { "add-table": { up: async () => {} } } })).toThrow(/YYYY-MM-DD-NNN/);
  });
});

describe("validatePlugins", () => {
  test("accepts a list in dependency order", () => {
    expect(() => validatePlugins([a, b])).not.toThrow();
  });

  test("names a missing requirement", () => {
    expect(() => validatePlugins([b])).toThrow(/"beta" requires "alpha", which is not installed/);
  });

  test("names a requirement listed too late", () => {
    expect(() => validatePlugins([b, a])).toThrow(/"beta" requires "alpha", which must come before it/);
  });

  test("refuses duplicate ids and duplicate capabilities", () => {
    expect(() => validatePlugins([a, a])).toThrow(/listed twice/);
    const cap = defineCapability("shared.thing", { description: "x", grant: ["owner"] });
    const p1 = definePlugin({ id: "p-one", capabilities: [cap] });
    const p2 = definePlugin({ id: "p-two", capabilities: [cap] });
    expect(() => validatePlugins([p1, p2])).toThrow(/declared by both plugin "p-one" and plugin "p-two"/);
  });

  test("refuses a procedure that declares neither a capability nor public access", () => {
    const router = createTRPCRouter({ open: publicProcedure.query(() => 1), sneaky: baseT.procedure.query(() => 2) });
    const p = definePlugin({ id: "leaky", router });
    expect(() => validatePlugins([p])).toThrow(/leaky.*sneaky: declares neither a capability/);
  });

  test("refuses a procedure guarded by a capability no plugin declares", () => {
    const router = createTRPCRouter({
      x: baseT.procedure.meta({ capability: "ghost.cap" }).input(z.object({})).query(() => 1),
    });
    expect(() => validatePlugins([definePlugin({ id: "haunted", router })])).toThrow(/"ghost.cap" is not declared/);
  });

  test("the example plugin and the shipped list are valid", () => {
    expect(() => validatePlugins([examplePlugin])).not.toThrow();
  });
});

describe("migrations", () => {
  test("run once each, kernel first, then plugins in list order", async () => {
    const database = await createTestDatabase({ empty: true });
    try {
      const boot = () =>
        bootKernel({ config: testConfig(database.url), plugins: [examplePlugin], workJobs: false, log: createLogger("silent") });
      const first = await boot();
      const rows = await sql<{ name: string }>`select name from atrium_migrations order by id`.execute(first.ownerDb);
      const expected = [
        "kernel/2026-11-23-001-tenancy",
        "kernel/2026-11-23-002-identity",
        "kernel/2026-11-23-003-sign-in-policy",
        "kernel/2026-12-02-001-auth-invalidation",
        "kernel/2026-12-02-002-project-role-invalidation",
        "kernel/2026-12-02-003-list-indexes",
        "kernel/2026-12-09-001-member-search",
        "kernel/2026-12-10-001-audit-people-index",
        "kernel/2026-12-11-001-project-list",
        "kernel/2026-12-12-001-account-lists",
        "kernel/2026-12-12-002-rate-limits-unlogged",
        "example/2026-11-23-001-notes",
      ];
      expect(rows.rows.map((r) => r.name)).toEqual(expected);
      await first.stop();
      const second = await boot();
      const again = await sql<{ count: number }>`select count(*)::int as count from atrium_migrations`.execute(second.ownerDb);
      expect(again.rows[0]!.count).toBe(expected.length);
      await second.stop();
    } finally {
      await database.drop();
    }
  });

  test("a failing migration leaves the database as it was and stops the boot naming it", async () => {
    const database = await createTestDatabase({ empty: true });
    const broken = definePlugin({
      id: "broken",
      migrations: {
        "2026-11-23-001-good": {
          up: async (db) => {
            await db.schema.createTable("broken_good").addColumn("id", "integer").execute();
          },
        },
        "2026-11-23-002-bad": {
          up: async (db) => {
            await sql`select * from table_that_does_not_exist`.execute(db);
          },
        },
      },
    });
    try {
      await expect(
        bootKernel({ config: testConfig(database.url), plugins: [broken], workJobs: false, log: createLogger("silent") }),
      ).rejects.toThrow(/Migration "broken\/2026-11-23-002-bad" failed: relation "table_that_does_not_exist" does not exist/);

      // Nothing of the batch remains: not the kernel's tables, not the good migration's.
      const probe = await bootKernel({ config: testConfig(database.url), plugins: [], workJobs: false, migrate: false, log: createLogger("silent") });
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public'`.execute(probe.ownerDb);
      expect(tables.rows.map((r) => r.table_name)).toEqual([]);
      await probe.stop();
    } finally {
      await database.drop();
    }
  });
});

describe("the assembled router", () => {
  test("every procedure, the kernel's included, is public, signed-in or guarded by a declared capability", async () => {
    const { testRouter } = await import("../setup/fixtures");
    const registry = validatePlugins(testPlugins);
    const all = proceduresOf(testRouter);
    expect(all.length).toBeGreaterThan(40);
    expect(accessProblems(testRouter, (id) => registry.has(id))).toEqual([]);
  });
});
