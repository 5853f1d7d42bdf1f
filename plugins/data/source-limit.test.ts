/**
 * An org holds at most MAX_SOURCES_PER_ORG connected sources (the built-in warehouse is not one):
 * the next is refused on `name` before any connection is tried, also when creations race, and
 * deleting one makes room. Sources are written directly up to the limit (each real one needs a
 * connection test).
 */
import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
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
  return { code: err.code, message: err.message, fields: (err.cause as { fields?: Record<string, string[]> })?.fields ?? {} };
}

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
