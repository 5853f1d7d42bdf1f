/**
 * Members and invitations are listed a page at a time (keyset paging): every member once, in the
 * order they joined, whatever the page size; a search narrows; a forged cursor is a field error;
 * invitations newest first, `pending` only those still waiting.
 */
import { sql } from "kysely";
import { describe, expect, test } from "vitest";
import { useTestKernel } from "../setup/kernel";
import { asUser, createOrg, createUser, refusalOf } from "../setup/fixtures";

const booted = useTestKernel();

describe("orgs.members.list", () => {
  test("pages cover every member exactly once in join order; search narrows; a forged cursor is refused on its field", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel, "Owner Person");
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    // 230 more members, several joining in the same instant (ties are broken by user id).
    const users = await sql<{ id: string }>`
      insert into users (email, name)
      select 'paging-' || ${org.id}::text || '-' || i || '@example.test', case when i % 50 = 0 then 'Zebra ' || i else 'Member ' || i end
      from generate_series(1, 230) as i returning id`.execute(kernel.ownerDb);
    await sql`insert into memberships (org_id, user_id, role, created_at)
      select ${org.id}::uuid, u.id, 'viewer', now() + (row_number() over (order by u.id) / 7) * interval '1 second'
      from unnest(${users.rows.map((u) => u.id)}::uuid[]) as u(id)`.execute(kernel.ownerDb);
    const caller = asUser(kernel, owner.id);

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.orgs.members.list({ orgId: org.id, limit: 100, cursor });
      sizes.push(page.items.length);
      seen.push(...page.items.map((m) => m.userId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(sizes).toEqual([100, 100, 31]);
    expect(new Set(seen).size).toBe(231);
    expect(seen[0]).toBe(owner.id); // the owner joined first
    const joined = await sql<{ user_id: string }>`select user_id from memberships where org_id = ${org.id} order by created_at, user_id`.execute(kernel.ownerDb);
    expect(seen).toEqual(joined.rows.map((r) => r.user_id));

    const zebras = await caller.orgs.members.list({ orgId: org.id, search: "zebra" });
    expect(zebras.items.map((m) => m.name).sort()).toEqual(["Zebra 100", "Zebra 150", "Zebra 200", "Zebra 50"]);
    expect(zebras.nextCursor).toBeNull();
    // The email is searched too, and a search never matches across name and email.
    const byEmail = await caller.orgs.members.list({ orgId: org.id, search: `${org.id}-150@` });
    expect(byEmail.items.map((m) => m.name)).toEqual(["Zebra 150"]);
    expect((await caller.orgs.members.list({ orgId: org.id, search: "150 paging" })).items).toEqual([]);
    // LIKE's own characters are matched literally.
    expect((await caller.orgs.members.list({ orgId: org.id, search: "%" })).items).toEqual([]);

    const forged = Buffer.from(JSON.stringify(["not a time", owner.id])).toString("base64url");
    expect(await refusalOf(caller.orgs.members.list({ orgId: org.id, cursor: forged }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { cursor: [expect.any(String)] } });
    expect((await refusalOf(caller.orgs.members.list({ orgId: org.id, limit: 201 }))).code).toBe("UNPROCESSABLE_CONTENT");
  });
});

describe("orgs.invitations.list", () => {
  test("newest first a page at a time; pending: true leaves out accepted, revoked and expired ones", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    await sql`insert into invitations (org_id, email, role, token_hash, expires_at, accepted_at, revoked_at, created_at)
      select ${org.id}::uuid, 'invite-' || i || '@example.test', 'viewer', md5(${org.id}::text || i),
        case when i % 4 = 3 then now() - interval '1 day' else now() + interval '7 days' end,
        case when i % 4 = 1 then now() end,
        case when i % 4 = 2 then now() end,
        now() - i * interval '1 minute'
      from generate_series(1, 120) as i`.execute(kernel.ownerDb);
    const caller = asUser(kernel, owner.id);
    const first = await caller.orgs.invitations.list({ orgId: org.id, limit: 50 });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]!.email).toBe("invite-1@example.test");
    const second = await caller.orgs.invitations.list({ orgId: org.id, limit: 100, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(70);
    expect(second.nextCursor).toBeNull();
    expect(second.items[0]!.email).toBe("invite-51@example.test");

    const pending = await caller.orgs.invitations.list({ orgId: org.id, pending: true, limit: 200 });
    expect(pending.items).toHaveLength(30);
    expect(pending.items.every((i) => !i.acceptedAt && !i.revokedAt && new Date(i.expiresAt).getTime() > Date.now())).toBe(true);
  });
});
