/**
 * `projects.list` a page at a time by name (with a search), `projects.roles.list` a page at a
 * time, and the cap on an org's projects that keeps pickers reading every project a few pages.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import { MAX_PROJECTS_PER_ORG } from "~/kernel/tenancy/service";
import { useTestKernel } from "../setup/kernel";
import { asUser, callerFor, createOrg, createUser, refusalOf } from "../setup/fixtures";

const booted = useTestKernel();

async function orgWithProjects(names: string[]) {
  const { kernel } = booted;
  const owner = await createUser(kernel);
  const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
  const ids = new Map<string, string>();
  for (const [i, name] of names.entries()) {
    const row = await kernel.ownerDb.insertInto("projects").values({ org_id: org.id, slug: `p-${i}`, name }).returning("id").executeTakeFirstOrThrow();
    ids.set(name, row.id);
  }
  return { owner, org, ids, caller: asUser(kernel, owner.id) };
}

describe("projects.list", () => {
  test("pages by name, ties by id: every project once, in order, and the last page says so", async () => {
    const names = ["Sales", "marketing", "Finance", "Ops", "Ops", "Data", "Zeta", "Alpha"];
    const { org, caller } = await orgWithProjects(names);
    const seen: Array<{ id: string; name: string }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller.projects.list({ orgId: org.id, limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(names.length);
    expect(new Set(seen.map((p) => p.id)).size).toBe(names.length);
    // The database's collation orders the names, as it orders the whole list in one page.
    const whole = await caller.projects.list({ orgId: org.id, limit: 200 });
    expect(whole.nextCursor).toBeNull();
    expect(seen.map((p) => p.id)).toEqual(whole.items.map((p) => p.id));
    const ops = whole.items.filter((p) => p.name === "Ops").map((p) => p.id);
    expect(ops).toEqual([...ops].sort());
  });

  test("archived projects only when asked; deleted ones never", async () => {
    const { kernel } = booted;
    const { org, ids, caller } = await orgWithProjects(["Kept", "Shelved", "Gone"]);
    await kernel.ownerDb.updateTable("projects").set({ archived_at: new Date() }).where("id", "=", ids.get("Shelved")!).execute();
    await kernel.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", ids.get("Gone")!).execute();
    expect((await caller.projects.list({ orgId: org.id })).items.map((p) => p.name)).toEqual(["Kept"]);
    expect((await caller.projects.list({ orgId: org.id, includeArchived: true })).items.map((p) => p.name)).toEqual(["Kept", "Shelved"]);
  });

  test("search finds part of a name or a slug, case aside, with % and _ taken literally", async () => {
    const { org, caller } = await orgWithProjects(["Revenue 2026", "Churn", "100% growth", "Team_A"]);
    const found = async (search: string) => (await caller.projects.list({ orgId: org.id, search })).items.map((p) => p.name);
    expect(await found("REVEN")).toEqual(["Revenue 2026"]);
    expect(await found("p-1")).toEqual(["Churn"]); // the slug
    expect(await found("%")).toEqual(["100% growth"]);
    expect(await found("_")).toEqual(["Team_A"]);
    expect(await found("nothing like it")).toEqual([]);
    // The search reads past row-level security through its index, but only in the caller's org,
    // and never a deleted project.
    const elsewhere = await orgWithProjects(["Revenue elsewhere"]);
    expect(await found("revenue")).toEqual(["Revenue 2026"]);
    expect((await elsewhere.caller.projects.list({ orgId: elsewhere.org.id, search: "revenue" })).items.map((p) => p.name)).toEqual(["Revenue elsewhere"]);
    await booted.kernel.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("org_id", "=", elsewhere.org.id).execute();
    expect((await elsewhere.caller.projects.list({ orgId: elsewhere.org.id, search: "revenue" })).items).toEqual([]);
    // A search pages like the whole list.
    const first = await caller.projects.list({ orgId: org.id, search: "e", limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await caller.projects.list({ orgId: org.id, search: "e", limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
  });

  test("a cursor it did not give is a 422 on cursor, not a 500", async () => {
    const { org, caller } = await orgWithProjects(["One"]);
    const members = await caller.orgs.members.list({ orgId: org.id, limit: 1 });
    const timeCursor = Buffer.from(JSON.stringify([new Date().toISOString(), randomUUID()])).toString("base64url");
    for (const cursor of ["nonsense", timeCursor, Buffer.from(JSON.stringify(["t", 7, "x"])).toString("base64url"), members.nextCursor ?? "e30"]) {
      expect(await refusalOf(caller.projects.list({ orgId: org.id, cursor }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { cursor: expect.any(Array) } });
    }
    expect(await refusalOf(caller.projects.list({ orgId: org.id, limit: 201 }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { limit: expect.any(Array) } });
  });

  test("a token an OAuth grant narrowed to some projects pages through those only", async () => {
    const { kernel } = booted;
    const { owner, org, ids } = await orgWithProjects(["A", "B", "C", "D"]);
    const token = await kernel.ownerDb
      .insertInto("api_tokens")
      .values({ user_id: owner.id, org_id: org.id, name: "narrowed", token_hash: randomUUID(), scopes: ["read"] })
      .returning("id")
      .executeTakeFirstOrThrow();
    const narrowed = callerFor(kernel, { kind: "token", userId: owner.id, tokenId: token.id, orgId: org.id, scopes: ["read"], projectIds: [ids.get("D")!, ids.get("B")!] });
    const first = await narrowed.projects.list({ orgId: org.id, limit: 1 });
    const second = await narrowed.projects.list({ orgId: org.id, limit: 1, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((p) => p.name)).toEqual(["B", "D"]);
    expect(second.nextCursor).toBeNull();
    expect((await narrowed.projects.list({ orgId: org.id, search: "a" })).items.map((p) => p.name)).toEqual([]);
    expect((await narrowed.projects.list({ orgId: org.id, search: "p-" })).items.map((p) => p.name)).toEqual(["B", "D"]);
    const none = callerFor(kernel, { kind: "token", userId: owner.id, tokenId: token.id, orgId: org.id, scopes: ["read"], projectIds: [] });
    expect(await none.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null });
  });
});

describe("an org's projects are capped", () => {
  test(`the ${MAX_PROJECTS_PER_ORG + 1}th live project is refused on slug; deleting one makes room; racing creations at the edge make one`, async () => {
    const { kernel } = booted;
    const { org, caller } = await orgWithProjects([]);
    await sql`insert into projects (org_id, slug, name) select ${org.id}, 'seeded-' || n, 'Seeded ' || n from generate_series(1, ${MAX_PROJECTS_PER_ORG - 1}) n`.execute(kernel.ownerDb);
    // Two at once at the edge: the lock makes the second count after the first commits.
    const outcomes = await Promise.allSettled([caller.projects.create({ orgId: org.id, slug: "race-a", name: "Race A" }), caller.projects.create({ orgId: org.id, slug: "race-b", name: "Race B" })]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(TRPCError);
    expect(refused.reason).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect((refused.reason as TRPCError).message).toContain(`at most ${MAX_PROJECTS_PER_ORG} projects`);
    expect(await refusalOf(caller.projects.create({ orgId: org.id, slug: "one-more", name: "One more" }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { slug: expect.any(Array) } });
    const live = await kernel.ownerDb.selectFrom("projects").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", org.id).executeTakeFirstOrThrow();
    expect(Number(live.n)).toBe(MAX_PROJECTS_PER_ORG);
    // Archived ones count; deleted ones do not.
    await kernel.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("org_id", "=", org.id).where("slug", "=", "seeded-1").execute();
    expect((await caller.projects.create({ orgId: org.id, slug: "one-more", name: "One more" })).slug).toBe("one-more");
    // A picker reads every project in five pages of 200.
    let cursor: string | undefined;
    let pages = 0;
    let count = 0;
    do {
      const page = await caller.projects.list({ orgId: org.id, limit: 200, cursor });
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect({ pages, count }).toEqual({ pages: 5, count: MAX_PROJECTS_PER_ORG });
  });
});

describe("projects.roles.list", () => {
  test("pages through a project's overrides, and answers for the people asked about", async () => {
    const { kernel } = booted;
    const { owner, org, ids, caller } = await orgWithProjects(["Roles"]);
    const projectId = ids.get("Roles")!;
    const people = await Promise.all(Array.from({ length: 5 }, () => createUser(kernel)));
    for (const person of people) {
      await kernel.ownerDb.insertInto("memberships").values({ org_id: org.id, user_id: person.id, role: "viewer" }).execute();
      await caller.projects.roles.set({ orgId: org.id, projectId, userId: person.id, role: "editor" });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.projects.roles.list({ orgId: org.id, projectId, limit: 2, cursor });
      seen.push(...page.items.map((o) => o.userId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(people.map((p) => p.id).sort());
    const asked = await caller.projects.roles.list({ orgId: org.id, projectId, userIds: [people[3]!.id, owner.id] });
    expect(asked).toEqual({ items: [expect.objectContaining({ userId: people[3]!.id, role: "editor" })], nextCursor: null });
    expect(await caller.projects.roles.list({ orgId: org.id, projectId, userIds: [] })).toEqual({ items: [], nextCursor: null });
    expect(await refusalOf(caller.projects.roles.list({ orgId: org.id, projectId, userIds: Array.from({ length: 201 }, () => randomUUID()) }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { userIds: expect.any(Array) } });
  });
});
