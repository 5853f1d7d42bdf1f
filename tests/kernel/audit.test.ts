/**
 * The audit writer never fails on text: inputs are refused at the edge when they hold what
 * `jsonb` cannot store, but an event's data may still carry it (a cut at 500 characters can
 * split a surrogate pair; labels come from clients), so the writer makes it storable.
 */
import { expect, test } from "vitest";
import { auditRecordOf, auditRowOf, sanitizeAuditData, writeAudit, writeAuditBatch } from "~/kernel/audit";
import { useTestKernel } from "../setup/kernel";

const booted = useTestKernel();

test("NUL characters and unpaired surrogates become U+FFFD, in values and keys; pairs survive", () => {
  const split = `${"a".repeat(499)}😀tail`; // the cut at 500 falls inside the emoji
  expect(sanitizeAuditData({ "k\u0000": "a\u0000b", lone: "\ud800x", pair: "😀", split })).toEqual({
    "k\ufffd": "a\ufffdb",
    lone: "\ufffdx",
    pair: "😀",
    split: `${"a".repeat(499)}\ufffd…`,
  });
});

test("an event whose data and client label hold NUL and lone surrogates is written", async () => {
  const { kernel } = booted;
  const requestId = `audit-${Date.now()}`;
  await writeAudit(
    kernel.ownerDb,
    { kind: "agent", label: "client\u0000\ud800" },
    { action: "test.text", data: { input: { name: "a\u0000b", half: "\udc00", long: `${"x".repeat(499)}😀` } } },
    { requestId },
  );
  const row = await kernel.ownerDb.selectFrom("audit_events").select(["data", "actor_label"]).where("request_id", "=", requestId).executeTakeFirstOrThrow();
  expect(row.actor_label).toBe("client\ufffd\ufffd");
  expect(row.data).toMatchObject({ input: { name: "a\ufffdb", half: "\ufffd" } });
});

test("a batch is stored as its events written one by one would be: every field, each its own time, in order", async () => {
  const { kernel } = booted;
  const prefix = `batch-${Date.now()}`;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i));
  const records = Array.from({ length: 3 }, (_, i) =>
    auditRecordOf(
      { kind: "agent", label: `client ${i}\u0000` },
      { action: "test.batch", target: { type: "tool", id: `t${i}` }, data: { n: i, password: "hunter2", note: "a\u0000b" } },
      { ip: "127.0.0.1", requestId: `${prefix}-${i}`, at: at(i) },
    ),
  );
  await writeAuditBatch(kernel.ownerDb, []);
  await writeAuditBatch(kernel.ownerDb, records);
  const rows = await kernel.ownerDb.selectFrom("audit_events").selectAll().where("request_id", "like", `${prefix}-%`).orderBy("id").execute();
  expect(rows.map((r) => r.request_id)).toEqual([0, 1, 2].map((i) => `${prefix}-${i}`));
  for (const [i, row] of rows.entries()) {
    const alone = auditRowOf({ kind: "agent", label: `client ${i}\u0000` }, { action: "test.batch", target: { type: "tool", id: `t${i}` }, data: { n: i, password: "hunter2", note: "a\u0000b" } });
    expect(row).toMatchObject({ actor_kind: "agent", actor_label: alone.actor_label, action: "test.batch", target_type: "tool", target_id: `t${i}`, ip: "127.0.0.1", org_id: null });
    expect(row.data).toEqual(JSON.parse(alone.data));
    expect(row.created_at.getTime()).toBe(at(i).getTime());
  }
  expect(JSON.stringify(rows)).not.toContain("hunter2");
});
