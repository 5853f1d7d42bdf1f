/**
 * `audit.list`: newest first by the time of each event, a page at a time, filtered by actor kind
 * and action prefix, reading only the caller's org. Agents' read-only calls are stored in
 * batches a moment after they happen (plugins/agent/audit-batch.ts), so the order is the time of
 * the event, not the order rows were written.
 */
import { describe, expect, test } from "vitest";
import { writeAuditBatch, auditRecordOf, type AuditActor } from "~/kernel/audit";
import { asUser, createOrg, createUser } from "../setup/fixtures";
import { useTestKernel } from "../setup/kernel";

const booted = useTestKernel();

async function world() {
  const { kernel } = booted;
  const owner = await createUser(kernel);
  const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
  const person: AuditActor = { kind: "user", userId: owner.id };
  const agent: AuditActor = { kind: "agent", userId: owner.id, label: "Audit List Agent" };
  const at = (second: number) => new Date(Date.UTC(2026, 5, 1, 12, 0, second));
  const event = (actor: AuditActor, action: string, second: number) =>
    auditRecordOf(actor, { action, orgId: org.id, target: { type: "test", id: `${action}@${second}` } }, { at: at(second) });
  return { kernel, owner, org, person, agent, event, caller: asUser(kernel, owner.id) };
}

const labels = (events: Array<{ targetId: string | null }>) => events.map((e) => e.targetId);

describe("audit.list", () => {
  test("newest first by the time of the event, even when an earlier event was written later", async () => {
    const { kernel, org, person, agent, event, caller } = await world();
    // Written in this order: the agent's read at second 2 lands after the save at second 3.
    await writeAuditBatch(kernel.ownerDb, [event(person, "dashboards.create", 1), event(person, "dashboards.update", 3)]);
    await writeAuditBatch(kernel.ownerDb, [event(agent, "agent.tool.call", 2)]);
    const { events } = await caller.audit.list({ orgId: org.id });
    expect(labels(events).filter((l) => l?.includes("@"))).toEqual(["dashboards.update@3", "agent.tool.call@2", "dashboards.create@1"]);
  });

  test("pages with before cover every event once, in order, and end with nextBefore null", async () => {
    const { kernel, org, person, agent, event, caller } = await world();
    // Two events at the same second: the id settles their order.
    const records = [1, 2, 2, 3, 4, 5, 6].map((second, i) => event(i % 2 ? agent : person, i % 2 ? "agent.tool.call" : "dashboards.update", second));
    await writeAuditBatch(kernel.ownerDb, records);
    const all = labels((await caller.audit.list({ orgId: org.id, limit: 200 })).events).filter((l) => l?.includes("@"));
    expect(all).toHaveLength(7);
    const paged: Array<string | null> = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await caller.audit.list({ orgId: org.id, limit: 3, ...(before ? { before } : {}) });
      paged.push(...labels(result.events).filter((l) => l?.includes("@")));
      if (result.nextBefore === null) break;
      before = result.nextBefore;
    }
    expect(paged).toEqual(all);
    expect(all.slice(0, 2)).toEqual(["dashboards.update@6", "agent.tool.call@5"]);
  });

  test("filters: people's events and an action prefix leave agents' calls out; the agent. prefix finds them", async () => {
    const { kernel, org, person, agent, event, caller } = await world();
    await writeAuditBatch(kernel.ownerDb, [
      event(agent, "agent.tool.call", 1),
      event(person, "dashboards.update", 2),
      event(agent, "agent.resource.read", 3),
      event(agent, "dashboards.update", 4),
      event(person, "projects.create", 5),
    ]);
    const ours = (events: Array<{ targetId: string | null }>) => labels(events).filter((l) => l?.includes("@"));
    expect(ours((await caller.audit.list({ orgId: org.id, actorKind: "user" })).events)).toEqual(["projects.create@5", "dashboards.update@2"]);
    // An agent's write is an agent event like its reads.
    expect(ours((await caller.audit.list({ orgId: org.id, actorKind: "agent" })).events)).toEqual(["dashboards.update@4", "agent.resource.read@3", "agent.tool.call@1"]);
    expect(ours((await caller.audit.list({ orgId: org.id, action: "dashboards." })).events)).toEqual(["dashboards.update@4", "dashboards.update@2"]);
    expect(ours((await caller.audit.list({ orgId: org.id, action: "agent." })).events)).toEqual(["agent.resource.read@3", "agent.tool.call@1"]);
    expect(ours((await caller.audit.list({ orgId: org.id, action: "a" })).events)).toEqual(["agent.resource.read@3", "agent.tool.call@1"]);
  });

  test("before naming another org's event gives an empty page, never that org's events", async () => {
    const mine = await world();
    const theirs = await world();
    await writeAuditBatch(mine.kernel.ownerDb, [mine.event(mine.person, "dashboards.update", 1)]);
    await writeAuditBatch(theirs.kernel.ownerDb, [theirs.event(theirs.person, "dashboards.update", 2), theirs.event(theirs.person, "dashboards.update", 3)]);
    const theirLatest = (await theirs.caller.audit.list({ orgId: theirs.org.id, limit: 1 })).events[0]!;
    const result = await mine.caller.audit.list({ orgId: mine.org.id, before: theirLatest.id });
    expect(result).toEqual({ events: [], nextBefore: null });
  });

  test("a before past any event id is refused as invalid input naming the field (422), not a database error", async () => {
    const { org, caller } = await world();
    for (const before of [1e20, 1e21, Number.MAX_SAFE_INTEGER + 2]) {
      await expect(caller.audit.list({ orgId: org.id, before })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringContaining("before") });
    }
    await expect(caller.audit.list({ orgId: org.id, before: Number.MAX_SAFE_INTEGER })).resolves.toEqual({ events: [], nextBefore: null });
  });
});
