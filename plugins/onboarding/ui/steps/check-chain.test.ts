/**
 * Step 4's chain rule: the next check starts once the one before it is good and only when it has
 * not run since that evidence; a refused start is not tried again by itself.
 */
import { expect, test } from "vitest";
import { nextCheck, type ChainEntry } from "./check-chain";

const ORDER = ["sample.load", "schema.introspect", "data.freshness", "query.test"];
const T0 = "2026-12-05T07:00:00.000Z";
const T1 = "2026-12-05T07:00:05.000Z";
const T2 = "2026-12-05T07:00:09.000Z";

function entry(id: string, over: Partial<ChainEntry> = {}): ChainEntry {
  return { id, badge: "unknown", activeRun: null, lastRun: null, evidence: null, ...over };
}
const done = (id: string, ranAt: string, observedAt: string, badge = "ok") => entry(id, { badge, lastRun: { createdAt: ranAt }, evidence: { observedAt } });

test("nothing starts before the data is in; then the schema read, then each check after the one before it", () => {
  expect(nextCheck(ORDER, [entry("sample.load", { activeRun: { id: "r1" } }), ...ORDER.slice(1).map((id) => entry(id))], {})).toBeNull();
  const loaded = done("sample.load", T0, T1);
  expect(nextCheck(ORDER, [loaded, ...ORDER.slice(1).map((id) => entry(id))], {})).toBe("schema.introspect");
  // Running: nothing else starts; a warning is good enough to go on.
  expect(nextCheck(ORDER, [loaded, entry("schema.introspect", { activeRun: { id: "r2" }, lastRun: { createdAt: T2 } }), entry("data.freshness"), entry("query.test")], {})).toBeNull();
  expect(nextCheck(ORDER, [loaded, done("schema.introspect", T2, T2, "warn"), entry("data.freshness"), entry("query.test")], {})).toBe("data.freshness");
  // A failed check stops the chain there.
  expect(nextCheck(ORDER, [loaded, done("schema.introspect", T2, T2, "fail"), entry("data.freshness"), entry("query.test")], {})).toBeNull();
});

test("a check that ran after the data was observed does not run again; one older than the data does", () => {
  const later = "2026-12-05T07:01:00.000Z";
  const board = [done("sample.load", T0, T1), done("schema.introspect", T2, T2), done("data.freshness", T2, T2), done("query.test", T2, T2)];
  expect(nextCheck(ORDER, board, {})).toBeNull();
  // The sample loaded again, after the checks: the schema read is due again.
  expect(nextCheck(ORDER, [done("sample.load", later, later), ...board.slice(1)], {})).toBe("schema.introspect");
});

test("a check whose start was refused is not started again by itself, and nothing after it starts", () => {
  const board = [done("sample.load", T0, T1), entry("schema.introspect"), entry("data.freshness"), entry("query.test")];
  expect(nextCheck(ORDER, board, { "schema.introspect": "Atrium is not available right now." })).toBeNull();
  // Another task's error does not hold this one back.
  expect(nextCheck(ORDER, board, { "dashboard.run": "refused" })).toBe("schema.introspect");
});
