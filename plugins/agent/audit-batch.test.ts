import { randomUUID } from "node:crypto";
import { describe, expect, test, vi } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { createOrg, createUser } from "../../tests/setup/fixtures";
import { useTestKernel } from "../../tests/setup/kernel";
import { AuditBatcher } from "./audit-batch";

const booted = useTestKernel();

const agent = (userId: string) => ({ kind: "agent" as const, userId, tokenId: null, label: "Batch Test Agent" });
const call = (orgId: string, requestId: string, args: Record<string, unknown> = {}) => ({
  action: "agent.tool.call",
  orgId,
  target: { type: "tool", id: "get_dashboard" },
  data: { tool: "get_dashboard", ok: true, ms: 1, arguments: args },
});

function logSpy() {
  const error = vi.fn();
  return { log: { error } as unknown as Kernel["log"], error };
}

async function rowsOf(requestIds: string[]) {
  return booted.kernel.ownerDb.selectFrom("audit_events").selectAll().where("request_id", "in", requestIds).orderBy("id").execute();
}

describe("agent audit batches", () => {
  test("each event lands as its own row, in its person's org, with its text whole and the time of its call", async () => {
    const { kernel } = booted;
    const [ada, bo] = [await createUser(kernel), await createUser(kernel)];
    const [first, second] = [await createOrg(kernel, [{ userId: ada.id, role: "owner" }]), await createOrg(kernel, [{ userId: bo.id, role: "owner" }])];
    const batcher = new AuditBatcher(kernel, { maxDelayMs: 60_000, maxBatch: 10_000 });
    const ids: string[] = [];
    // Multi-byte text cut at 500 characters, 120 events in two groups.
    const city = "Zürich 📈 ".repeat(60);
    const before = Date.now();
    for (let i = 0; i < 120; i++) {
      const id = `batch-${randomUUID()}`;
      ids.push(id);
      const [who, org] = i % 3 === 2 ? [bo, second] : [ada, first];
      batcher.add({ userId: who.id, orgId: org.id }, agent(who.id), call(org.id, id, { slug: `s-${i}`, city }), { ip: "203.0.113.7", requestId: id });
    }
    expect(batcher.pending).toBe(120);
    expect(await rowsOf(ids)).toEqual([]);

    await batcher.flush();
    expect(batcher.pending).toBe(0);
    const rows = await rowsOf(ids);
    expect(rows).toHaveLength(120);
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    ids.forEach((id, i) => {
      const row = byId.get(id)!;
      const [who, org] = i % 3 === 2 ? [bo, second] : [ada, first];
      expect(row.org_id).toBe(org.id);
      expect(row.actor_user_id).toBe(who.id);
      expect(row.actor_kind).toBe("agent");
      expect(row.actor_label).toBe("Batch Test Agent");
      expect(row.ip).toBe("203.0.113.7");
      expect(row.data).toEqual({ tool: "get_dashboard", ok: true, ms: 1, arguments: { slug: `s-${i}`, city: city.length > 500 ? `${city.slice(0, 500)}…` : city } });
      expect(row.created_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(row.created_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });
  });

  test("a full batch is written without waiting for the delay", async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const batcher = new AuditBatcher(kernel, { maxDelayMs: 60_000, maxBatch: 3 });
    const ids = [1, 2, 3].map(() => `full-${randomUUID()}`);
    for (const id of ids) batcher.add({ userId: user.id, orgId: org.id }, agent(user.id), call(org.id, id), { requestId: id });
    expect(batcher.pending).toBe(0);
    await vi.waitFor(async () => expect(await rowsOf(ids)).toHaveLength(3));
  });

  test("a batch that fails is kept for the next one; failing again, it is dropped and logged", async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const { log, error } = logSpy();
    const batcher = new AuditBatcher({ db: kernel.db, log }, { maxDelayMs: 60_000, maxBatch: 10_000 });

    // An org that does not exist yet: the foreign key refuses the first write.
    const orgId = randomUUID();
    const late = `late-${randomUUID()}`;
    batcher.add({ userId: user.id, orgId }, agent(user.id), call(orgId, late), { requestId: late });
    await batcher.flush();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatchObject({ events: 1, retrying: true });
    expect(batcher.pending).toBe(1);
    expect(await rowsOf([late])).toEqual([]);

    await kernel.ownerDb.insertInto("orgs").values({ id: orgId, slug: `late-${orgId.slice(0, 8)}`, name: "Late org" }).execute();
    await batcher.flush();
    expect(batcher.pending).toBe(0);
    expect((await rowsOf([late])).map((r) => r.org_id)).toEqual([orgId]);

    // Never writable: tried twice, then given up (and logged each time).
    const missing = randomUUID();
    const lost = `lost-${randomUUID()}`;
    batcher.add({ userId: user.id, orgId: missing }, agent(user.id), call(missing, lost), { requestId: lost });
    await batcher.flush();
    await batcher.flush();
    expect(error).toHaveBeenCalledTimes(3);
    expect(error.mock.calls[2]![0]).toMatchObject({ events: 1, retrying: false });
    expect(batcher.pending).toBe(0);
    expect(await rowsOf([lost])).toEqual([]);
  });
});
