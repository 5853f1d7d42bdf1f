/**
 * The dashboard editor's edit lease and drafts on real PostgreSQL, through the procedures as
 * members call them: one editor at a time, a lapsed lease free for the next, takeover (confirmed,
 * audited, told at once over the event bus), hand-off to a member who may edit, drafts kept per
 * person, and the capability and tenancy walls (viewer 403, stranger 404).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

/** An owner with a dashboard "sales", two editors and a viewer in the same org. */
async function team() {
  const owner = await workspace(k.kernel);
  await owner.caller.dashboards.create({ ...owner.at, yaml: simpleYaml("Sales"), slug: "sales" });
  const ann = await colleague(k.kernel, owner.org.id, "editor");
  const bob = await colleague(k.kernel, owner.org.id, "editor");
  const viewer = await colleague(k.kernel, owner.org.id, "viewer");
  return { owner, ann, bob, viewer, d: { ...owner.at, slug: "sales" } };
}

/** Moves the dashboard's lease `seconds` into the past, as if nobody renewed it for that long. */
async function age(seconds: number) {
  await sql`update collaboration_edit_leases set since = since - make_interval(secs => ${seconds}), expires_at = expires_at - make_interval(secs => ${seconds})`.execute(k.kernel.ownerDb);
}

describe("the edit lease", () => {
  test("the first editor holds it; the second sees who and since when, and cannot take it by opening", async () => {
    const { ann, bob, d } = await team();
    const mine = await ann.caller.collaboration.lease.open(d);
    expect(mine).toMatchObject({ you: true, holder: { id: ann.user.id } });
    expect(new Date(mine.expiresAt!).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);

    const theirs = await bob.caller.collaboration.lease.open(d);
    expect(theirs).toMatchObject({ you: false, holder: { id: ann.user.id, name: ann.user.name }, since: mine.since });
    // Renewing is only the holder's: Bob's renewal leaves Ann holding it.
    expect(await bob.caller.collaboration.lease.renew(d)).toMatchObject({ you: false, holder: { id: ann.user.id } });
    // Ann reopening (another tab) keeps it, since unchanged.
    expect(await ann.caller.collaboration.lease.open(d)).toMatchObject({ you: true, since: mine.since });
  });

  test("activity renews it; without activity it lapses after 5 minutes and the next editor gets it", async () => {
    const { ann, bob, d } = await team();
    await ann.caller.collaboration.lease.open(d);
    await age(4 * 60);
    const renewed = await ann.caller.collaboration.lease.renew(d);
    expect(new Date(renewed.expiresAt!).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(await bob.caller.collaboration.lease.open(d)).toMatchObject({ you: false });

    await age(5 * 60 + 1);
    expect(await bob.caller.collaboration.lease.get(d)).toMatchObject({ holder: null, you: false });
    expect(await bob.caller.collaboration.lease.open(d)).toMatchObject({ you: true, holder: { id: bob.user.id } });
    // Ann's late renewal does not take it back.
    expect(await ann.caller.collaboration.lease.renew(d)).toMatchObject({ you: false, holder: { id: bob.user.id } });
  });

  test("concurrent opens: exactly one person holds it", async () => {
    const { ann, bob, d } = await team();
    const [a, b] = await Promise.all([ann.caller.collaboration.lease.open(d), bob.caller.collaboration.lease.open(d)]);
    expect([a.you, b.you].filter(Boolean)).toHaveLength(1);
    expect(a.holder!.id).toBe(b.holder!.id);
  });

  test("take over needs confirmation, is audited, tells the former holder at once on another instance, and keeps their draft", async () => {
    const { owner, ann, bob, d } = await team();
    await ann.caller.collaboration.lease.open(d);
    await ann.caller.collaboration.drafts.save({ ...d, yaml: simpleYaml("Sales, Ann's unsaved title"), baseVersion: 1 });

    const second = await (await import("../../tests/setup/database")).bootTestKernel({ url: k.url });
    try {
      const controller = new AbortController();
      const stream = await asUser(second.kernel, ann.user.id, { signal: controller.signal }).collaboration.lease.onChange(d);
      const told = stream[Symbol.asyncIterator]().next();
      await new Promise((r) => setTimeout(r, 150));

      const refused = await rejectionOf(bob.caller.collaboration.lease.takeOver({ ...d, confirm: false as unknown as true }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields.confirm).toBeDefined();

      const taken = await bob.caller.collaboration.lease.takeOver({ ...d, confirm: true });
      expect(taken).toMatchObject({ you: true, holder: { id: bob.user.id } });
      const { value } = await told;
      expect(value).toEqual({ how: "takeover", you: "from", byName: bob.user.name });
      controller.abort();
    } finally {
      await second.close();
    }

    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", owner.org.id).where("action", "=", "collaboration.lease.takeover").execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ from: ann.user.id });

    const annNow = await ann.caller.collaboration.lease.get(d);
    expect(annNow).toMatchObject({ you: false, holder: { id: bob.user.id }, draft: { yaml: simpleYaml("Sales, Ann's unsaved title"), baseVersion: 1 } });
    // Drafts are per person: Bob has none.
    expect((await bob.caller.collaboration.lease.get(d)).draft).toBeNull();
  });

  test("hand off goes to a named member who may edit; only the holder hands off", async () => {
    const { ann, bob, viewer, d } = await team();
    await ann.caller.collaboration.lease.open(d);
    const { members } = await ann.caller.collaboration.lease.editors(d);
    expect(members.map((m) => m.id)).toContain(bob.user.id);
    expect(members.map((m) => m.id)).not.toContain(viewer.user.id);
    expect(members.map((m) => m.id)).not.toContain(ann.user.id);

    const toViewer = await rejectionOf(ann.caller.collaboration.lease.handOff({ ...d, userId: viewer.user.id }));
    expect(toViewer).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect(toViewer.fields.userId).toBeDefined();
    const notHolder = await rejectionOf(bob.caller.collaboration.lease.handOff({ ...d, userId: ann.user.id }));
    expect(notHolder.code).toBe("CONFLICT");

    expect(await ann.caller.collaboration.lease.handOff({ ...d, userId: bob.user.id })).toMatchObject({ you: false, holder: { id: bob.user.id } });
    expect(await bob.caller.collaboration.lease.get(d)).toMatchObject({ you: true });
  });

  test("release frees it for the next editor; someone else's release changes nothing", async () => {
    const { ann, bob, d } = await team();
    await ann.caller.collaboration.lease.open(d);
    expect(await bob.caller.collaboration.lease.release(d)).toEqual({ released: false });
    expect(await ann.caller.collaboration.lease.release(d)).toEqual({ released: true });
    expect(await bob.caller.collaboration.lease.open(d)).toMatchObject({ you: true });
  });

  test("a viewer reads who edits but cannot take, take over or keep drafts (403); a stranger gets 404", async () => {
    const { ann, viewer, d } = await team();
    await ann.caller.collaboration.lease.open(d);
    expect(await viewer.caller.collaboration.lease.get(d)).toMatchObject({ holder: { id: ann.user.id } });
    // Each call starts only when the one before has been answered: no rejection is left unawaited.
    const calls = [
      () => viewer.caller.collaboration.lease.open(d),
      () => viewer.caller.collaboration.lease.takeOver({ ...d, confirm: true }),
      () => viewer.caller.collaboration.drafts.save({ ...d, yaml: "x", baseVersion: 1 }),
    ];
    for (const call of calls) {
      expect((await rejectionOf(call())).code).toBe("FORBIDDEN");
    }
    const stranger = await workspace(k.kernel);
    expect((await rejectionOf(stranger.caller.collaboration.lease.takeOver({ ...d, confirm: true }))).code).toBe("NOT_FOUND");
    expect(await ann.caller.collaboration.lease.get(d)).toMatchObject({ you: true });
  });
});

describe("drafts", () => {
  test("saved per person, replaced by the next save, dropped on discard; a base version past the dashboard's is refused", async () => {
    const { ann, d } = await team();
    await ann.caller.collaboration.drafts.save({ ...d, yaml: "title: one", baseVersion: 1 });
    await ann.caller.collaboration.drafts.save({ ...d, yaml: "title: two", baseVersion: 1 });
    expect((await ann.caller.collaboration.lease.get(d)).draft).toMatchObject({ yaml: "title: two", baseVersion: 1 });
    const ahead = await rejectionOf(ann.caller.collaboration.drafts.save({ ...d, yaml: "title: three", baseVersion: 9 }));
    expect(ahead.fields.baseVersion).toBeDefined();
    expect(await ann.caller.collaboration.drafts.discard(d)).toEqual({ discarded: true });
    expect((await ann.caller.collaboration.lease.get(d)).draft).toBeNull();
  });
});
