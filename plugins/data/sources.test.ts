/**
 * External PostgreSQL sources: strict settings, a test before saving, credentials encrypted at
 * rest and never returned, read-only queries, the host guard, and at most MAX_SOURCES_PER_ORG of
 * them an org (refused on `name` before any connection is tried, also when creations race).
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ZodError } from "zod";
import { secretBox } from "~/kernel/crypto";
import { fieldErrorsOf as zodFields } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import { MAX_SOURCES_PER_ORG } from "./service";
import { bootDataKernel, createExternalDatabase, member } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let ext: Awaited<ReturnType<typeof createExternalDatabase>>;
beforeAll(async () => {
  k = await bootDataKernel();
  ext = await createExternalDatabase();
});
afterAll(async () => {
  await k?.close();
  await ext?.drop();
});

async function failure(promise: Promise<unknown>) {
  const err = (await promise.then(() => null, (e: unknown) => e)) as TRPCError;
  expect(err).toBeInstanceOf(TRPCError);
  const fields = err.cause instanceof ZodError ? zodFields(err.cause) : ((err.cause as { fields?: Record<string, string[]> })?.fields ?? {});
  return { code: err.code, message: err.message, fields };
}

async function storedRows(orgId: string) {
  const { rows } = await k.kernel.database.pool.query("select id, config, secrets from data_sources where org_id = $1", [orgId]);
  return rows as Array<{ id: string; config: Record<string, unknown>; secrets: string | null }>;
}

describe("connecting an external PostgreSQL", () => {
  test("saved after a successful test; the password is encrypted at rest and never returned", async () => {
    const { org, caller } = await member(k.kernel);
    const created = await caller.data.sources.create({ orgId: org.id, name: "Shop DB", type: "postgres", config: ext.config });
    expect(created).toMatchObject({ name: "Shop DB", type: "postgres", label: "PostgreSQL", hasPassword: true, builtIn: false });
    expect(created.config).toEqual({ host: "127.0.0.1", port: ext.config.port, database: ext.name, user: ext.name, sslmode: "disable" });
    const listed = await caller.data.sources.list({ orgId: org.id });
    expect(listed.map((s) => s.id)).toEqual(["warehouse", created.id]);
    const everything = JSON.stringify([created, listed, await caller.data.sources.get({ orgId: org.id, sourceId: created.id })]);
    expect(everything).not.toContain(ext.config.password);

    const [row] = await storedRows(org.id);
    expect(row!.config).not.toHaveProperty("password");
    expect(row!.secrets).toMatch(/^v1\./);
    expect(row!.secrets).not.toContain(ext.config.password);
    const opened = JSON.parse(secretBox(k.kernel.secret, "data.source-secrets").decrypt(row!.secrets!, `${org.id}:${row!.id}`));
    expect(opened).toEqual({ password: ext.config.password });
    // Bound to its org and row: the same ciphertext does not open elsewhere.
    expect(() => secretBox(k.kernel.secret, "data.source-secrets").decrypt(row!.secrets!, `${org.id}:00000000-0000-0000-0000-000000000000`)).toThrow();

    // The audit log has no password either.
    const audit = await k.kernel.database.pool.query("select data from audit_events where org_id = $1", [org.id]);
    expect(JSON.stringify(audit.rows)).not.toContain(ext.config.password);
    expect(audit.rows.length).toBeGreaterThan(0);
  });

  test("queries are read-only, capped, and run as the source's user", async () => {
    const { org, caller } = await member(k.kernel);
    const source = await caller.data.sources.create({ orgId: org.id, name: "ext", type: "postgres", config: ext.config });
    const read = await caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "select id, label, current_user as who from items where id >= $1 order by id", params: [2] });
    expect(read.rows).toEqual([
      [2, "two", ext.name],
      [3, "three", ext.name],
    ]);
    const write = await failure(caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "insert into items values (9, 'nine')" }));
    expect(write.code).toBe("UNPROCESSABLE_CONTENT");
    expect(write.message).toMatch(/read-only/);
    const flip = await failure(caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "set transaction read write" }));
    expect(flip.message).toMatch(/read-write|read only|before any query/i);
    const count = await caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "select count(*) from items", refresh: true });
    expect(count.rows).toEqual([[3]]);
    const tables = await caller.data.describeTables({ orgId: org.id, sourceId: source.id });
    expect(tables.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(["public.items"]);
  });

  test("a failed test saves nothing and names the field", async () => {
    const { org, caller } = await member(k.kernel);
    const wrongPassword = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, password: "wrong" } }));
    expect(wrongPassword.code).toBe("UNPROCESSABLE_CONTENT");
    expect(wrongPassword.fields["config.password"]?.[0]).toMatch(/Password authentication failed/);
    const noDb = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, database: "nope_nope" } }));
    expect(noDb.fields["config.database"]?.[0]).toMatch(/does not exist/);
    const closedPort = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, port: 1 } }));
    expect(closedPort.fields["config.port"]?.[0]).toMatch(/refused/);
    const badHost = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, host: "no-such-host.invalid" } }));
    expect(badHost.fields["config.host"]?.[0]).toMatch(/resolve/);
    expect(await storedRows(org.id)).toEqual([]);

    const tested = await caller.data.sources.test({ orgId: org.id, type: "postgres", config: { ...ext.config, password: "wrong" } });
    expect(tested).toMatchObject({ ok: false, field: "config.password" });
    await expect(caller.data.sources.test({ orgId: org.id, type: "postgres", config: ext.config })).resolves.toMatchObject({ ok: true });
  });

  test("only the six settings are accepted; sockets and option injection are refused", async () => {
    const { org, caller } = await member(k.kernel);
    const [postgres] = await caller.data.connectors({ orgId: org.id });
    expect(postgres).toMatchObject({ type: "postgres", label: "PostgreSQL", secretFields: ["password"], configSchema: { type: "object", additionalProperties: false } });
    expect(Object.keys((postgres!.configSchema as { properties: object }).properties)).toEqual(["host", "port", "database", "user", "password", "sslmode"]);
    const extra = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, options: "-c statement_timeout=0" } }));
    expect(extra.code).toBe("UNPROCESSABLE_CONTENT");
    expect(Object.keys(extra.fields)).toEqual(["config.options"]);
    for (const host of ["/var/run/postgresql", "/tmp", "localhost options=-cfoo", "127.0.0.1 port=1", "a'b", "host\nname"]) {
      const refused = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, host } }));
      expect(Object.keys(refused.fields), host).toEqual(["config.host"]);
    }
    const badSsl = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, sslmode: "allow-anything" } }));
    expect(Object.keys(badSsl.fields)).toEqual(["config.sslmode"]);
    const missing = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { host: "127.0.0.1" } }));
    expect(Object.keys(missing.fields).sort()).toEqual(["config.database", "config.password", "config.user"]);
    const unknownType = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "mysql", config: {} }));
    expect(Object.keys(unknownType.fields)).toEqual(["type"]);
    expect(await storedRows(org.id)).toEqual([]);
  });

  test("the app's own database roles and databases are refused", async () => {
    const { org, caller } = await member(k.kernel);
    const app = new URL(k.kernel.database.url);
    const owner = await failure(
      caller.data.sources.create({
        orgId: org.id,
        name: "x",
        type: "postgres",
        config: { host: "localhost", port: Number(app.port), database: ext.name, user: decodeURIComponent(app.username), password: decodeURIComponent(app.password), sslmode: "disable" },
      }),
    );
    expect(owner.fields["config.user"]?.[0]).toMatch(/Atrium's own database roles/);
    const appDb = await failure(
      caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, database: app.pathname.slice(1) } }),
    );
    expect(appDb.fields["config.database"]?.[0]).toMatch(/Atrium's own database/);
    const appRole = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, user: "atrium_app" } }));
    expect(appRole.fields["config.user"]).toBeDefined();
  });

  test("every spelling of the app's own cluster address is refused with the app's credentials", async () => {
    const { org, caller } = await member(k.kernel);
    const app = new URL(k.kernel.database.url);
    for (const host of ["::ffff:7f00:1", "[::ffff:7f00:1]", "0:0:0:0:0:ffff:7f00:1", "2130706433", "0x7f.1", "127.1", "localhost.", "127.0.0.2"]) {
      const owner = await failure(
        caller.data.sources.create({
          orgId: org.id,
          name: "x",
          type: "postgres",
          config: { host, port: Number(app.port), database: ext.name, user: decodeURIComponent(app.username), password: decodeURIComponent(app.password), sslmode: "disable" },
        }),
      );
      expect(owner.fields["config.user"]?.[0], host).toMatch(/Atrium's own database roles/);
    }
  });

  test("a name is vetted by every address it resolves to, and the connection goes to the checked address", async () => {
    const asked: string[] = [];
    const strict = await bootDataKernel({
      allowPrivateHosts: false,
      resolveHost: async (host) => {
        asked.push(host);
        if (host === "loopback.example.test") return ["127.0.0.1"];
        if (host === "mixed.example.test") return ["93.184.216.34", "10.0.0.7"];
        if (host === "mapped.example.test") return ["::ffff:a9fe:a9fe"];
        throw Object.assign(new Error("no such host"), { code: "ENOTFOUND" });
      },
    });
    try {
      const { org, caller } = await member(strict.kernel);
      for (const [host, why] of [
        ["loopback.example.test", /loopback addresses \(127\.0\.0\.1\)/],
        ["loopback.example.test.", /loopback/],
        ["mixed.example.test", /private addresses \(10\.0\.0\.7\)/],
        ["mapped.example.test", /169\.254\.169\.254/],
      ] as const) {
        const refused = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, host } }));
        expect(refused.fields["config.host"]?.[0], host).toMatch(why);
      }
      expect(asked).toContain("loopback.example.test");
    } finally {
      await strict.close();
    }
    // The connection goes to the address that was checked: the system resolver does not know
    // db.example.test, so a connection by name would fail; each check resolves exactly once.
    let answers = 0;
    const pinned = await bootDataKernel({
      resolveHost: async (host) => {
        answers += 1;
        expect(host).toBe("db.example.test");
        return ["127.0.0.1"];
      },
    });
    try {
      const { org, caller } = await member(pinned.kernel);
      const source = await caller.data.sources.create({ orgId: org.id, name: "pinned", type: "postgres", config: { ...ext.config, host: "db.example.test" } });
      expect(answers).toBe(1);
      for (let i = 0; i < 3; i++) {
        await expect(caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "select count(*) from items", refresh: true })).resolves.toMatchObject({ rows: [[3]] });
      }
      // One more check when the query pool opens, none per query after that.
      expect(answers).toBe(2);
    } finally {
      await pinned.close();
    }
  });

  test("private and loopback addresses are refused when DATA_PRIVATE_HOSTS=deny; link-local always", async () => {
    const strict = await bootDataKernel({ allowPrivateHosts: false });
    try {
      const { org, caller } = await member(strict.kernel);
      for (const host of [
        "127.0.0.1",
        "localhost",
        "localhost.",
        "10.1.2.3",
        "192.168.0.10",
        "::1",
        "::ffff:7f00:1",
        "[::ffff:7f00:1]",
        "0:0:0:0:0:ffff:7f00:1",
        "::ffff:a00:1",
        "64:ff9b::7f00:1",
        "2130706433",
        "0177.0.0.1",
        "0x7f.1",
        "127.1",
        "127.0.0.1.",
        "fd00::1",
      ]) {
        const refused = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, host } }));
        expect(refused.fields["config.host"]?.[0], host).toMatch(/not allowed/);
      }
    } finally {
      await strict.close();
    }
    const { org, caller } = await member(k.kernel);
    for (const host of ["169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2852039166", "0.0.0.0", "0", "::", "fe80::1%eth0", "[fe80::1]", "224.0.0.1"]) {
      const refused = await failure(caller.data.sources.create({ orgId: org.id, name: "x", type: "postgres", config: { ...ext.config, host } }));
      expect(refused.fields["config.host"]?.[0], host).toMatch(/not allowed/);
    }
  });

  test("update keeps the stored password unless given, re-tests, and delete removes the credentials", async () => {
    const { org, caller } = await member(k.kernel);
    const source = await caller.data.sources.create({ orgId: org.id, name: "before", type: "postgres", config: ext.config });
    const renamed = await caller.data.sources.update({ orgId: org.id, sourceId: source.id, name: "after", config: { sslmode: "prefer" } });
    expect(renamed).toMatchObject({ name: "after", hasPassword: true, config: { sslmode: "prefer" } });
    await expect(caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "select 1" })).resolves.toMatchObject({ rows: [[1]] });
    const broken = await failure(caller.data.sources.update({ orgId: org.id, sourceId: source.id, config: { password: "wrong" } }));
    expect(Object.keys(broken.fields)).toEqual(["config.password"]);
    expect((await caller.data.sources.get({ orgId: org.id, sourceId: source.id })).name).toBe("after");
    const duplicate = await failure(caller.data.sources.create({ orgId: org.id, name: "AFTER", type: "postgres", config: ext.config }));
    expect(duplicate.code).toBe("CONFLICT");
    await caller.data.sources.delete({ orgId: org.id, sourceId: source.id });
    expect(await storedRows(org.id)).toEqual([]);
    expect((await failure(caller.data.runQuery({ orgId: org.id, sourceId: source.id, sql: "select 1" }))).code).toBe("NOT_FOUND");
  });

  test("another org's source is not found, and a viewer cannot manage sources", async () => {
    const a = await member(k.kernel);
    const b = await member(k.kernel);
    const source = await a.caller.data.sources.create({ orgId: a.org.id, name: "mine", type: "postgres", config: ext.config });
    for (const call of [
      () => b.caller.data.sources.get({ orgId: b.org.id, sourceId: source.id }),
      () => b.caller.data.runQuery({ orgId: b.org.id, sourceId: source.id, sql: "select 1" }),
      () => b.caller.data.describeTables({ orgId: b.org.id, sourceId: source.id }),
      () => b.caller.data.sources.delete({ orgId: b.org.id, sourceId: source.id }),
    ]) {
      expect((await failure(call())).code).toBe("NOT_FOUND");
    }
    const viewer = await member(k.kernel, "viewer", a.org.id);
    expect((await failure(viewer.caller.data.sources.delete({ orgId: a.org.id, sourceId: source.id }))).code).toBe("FORBIDDEN");
  });
});

/** `count` postgres sources in the org, written directly (no connection test). */
async function seedSources(kernel: Kernel, orgId: string, count: number): Promise<void> {
  await sql`insert into data_sources (org_id, name, type, config)
    select ${orgId}::uuid, 'seeded ' || i, 'postgres', '{"host":"127.0.0.1","port":1,"database":"x","user":"x","sslmode":"disable"}'::jsonb
    from generate_series(1, ${count}::int) as i`.execute(kernel.ownerDb);
}

async function sourceCount(kernel: Kernel, orgId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from data_sources where org_id = ${orgId}`.execute(kernel.ownerDb);
  return rows[0]!.n;
}

describe(`at most ${MAX_SOURCES_PER_ORG} data sources an org`, () => {
  test("the last place is taken, the next is refused on name before any connection is tried, and deleting one makes room", async () => {
    const { org, caller } = await member(k.kernel);
    await seedSources(k.kernel, org.id, MAX_SOURCES_PER_ORG - 1);
    const last = await caller.data.sources.create({ orgId: org.id, name: "The last one", type: "postgres", config: ext.config });
    // The warehouse is listed beside them and does not count.
    expect(await caller.data.sources.list({ orgId: org.id })).toHaveLength(MAX_SOURCES_PER_ORG + 1);

    const refused = await failure(caller.data.sources.create({ orgId: org.id, name: "One too many", type: "postgres", config: ext.config }));
    expect(refused).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { name: [`An organization holds at most ${MAX_SOURCES_PER_ORG} data sources; delete one you no longer use first.`] } });
    // A configuration that could not connect gets the same answer: the limit is checked first.
    const unreachable = await failure(caller.data.sources.create({ orgId: org.id, name: "Nowhere", type: "postgres", config: { ...ext.config, port: 1 } }));
    expect(Object.keys(unreachable.fields)).toEqual(["name"]);
    expect(await sourceCount(k.kernel, org.id)).toBe(MAX_SOURCES_PER_ORG);

    // Another org is not affected.
    const other = await member(k.kernel);
    await expect(other.caller.data.sources.create({ orgId: other.org.id, name: "Elsewhere", type: "postgres", config: ext.config })).resolves.toMatchObject({ name: "Elsewhere" });

    await caller.data.sources.delete({ orgId: org.id, sourceId: last.id });
    await expect(caller.data.sources.create({ orgId: org.id, name: "In its place", type: "postgres", config: ext.config })).resolves.toMatchObject({ name: "In its place" });
    expect(await sourceCount(k.kernel, org.id)).toBe(MAX_SOURCES_PER_ORG);
  });

  test("creations racing for the last places: only as many pass as there is room for (the count is taken under a lock on the org)", async () => {
    const { org, caller } = await member(k.kernel);
    await seedSources(k.kernel, org.id, MAX_SOURCES_PER_ORG - 2);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => caller.data.sources.create({ orgId: org.id, name: `Racer ${i}`, type: "postgres", config: ext.config })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    for (const lost of outcomes.filter((o) => o.status === "rejected")) {
      expect(await failure(Promise.reject(lost.reason))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { name: [expect.stringContaining("at most")] } });
    }
    expect(await sourceCount(k.kernel, org.id)).toBe(MAX_SOURCES_PER_ORG);
  });
});
