/**
 * A public link's variable policy and date clamp, without a database: what a viewer may send,
 * and that no run reads dates outside the clamp, whether the viewer chose them or the link did.
 */
import { describe, expect, test } from "vitest";
import type { Variable } from "../dashboards/published";
import { applyPolicy } from "./policy";

const NOW = new Date("2026-06-15T12:00:00Z");
const region = { name: "region", type: "select", options: ["north", "south", "east"], default: "north" } as Variable;
const period = { name: "period", type: "daterange", default: "last_30_days" } as Variable;
const day = { name: "day", type: "date", default: "2026-06-01" } as Variable;
const clamp = { from: "2026-01-01", to: "2026-03-31" };

describe("a link's variable policy", () => {
  test("locked values are forced; an allowed list is checked; free values pass on", () => {
    expect(applyPolicy([region], {}, null, {}, NOW)).toEqual({ values: {}, errors: {} });
    expect(applyPolicy([region], {}, null, { region: "south" }, NOW).errors).toEqual({ "variables.region": ["This value is fixed for this link"] });
    expect(applyPolicy([region], { region: { mode: "locked", value: "east" } }, null, {}, NOW).values).toEqual({ region: "east" });
    const listed = { region: { mode: "allowed" as const, values: ["north", "south"] } };
    expect(applyPolicy([region], listed, null, {}, NOW).values).toEqual({ region: "north" });
    expect(applyPolicy([region], listed, null, { region: "south" }, NOW).values).toEqual({ region: "south" });
    expect(applyPolicy([region], listed, null, { region: "east" }, NOW).errors).toEqual({ "variables.region": ["This value is not one this link allows"] });
    expect(applyPolicy([region], { region: { mode: "free" } }, null, { region: "east" }, NOW).values).toEqual({ region: "east" });
    expect(applyPolicy([region], {}, null, { other: 1 }, NOW).errors).toEqual({ "variables.other": ['This dashboard has no variable "other"'] });
  });

  test("dates a viewer sends must lie inside the clamp, presets and a..b included", () => {
    const free = { period: { mode: "free" as const }, day: { mode: "free" as const } };
    const inside = applyPolicy([period], free, clamp, { period: { start: "2026-02-01", end: "2026-02-28" } }, NOW);
    expect(inside).toEqual({ values: { period: { start: "2026-02-01", end: "2026-02-28" } }, errors: {} });
    expect(applyPolicy([period], free, clamp, { period: "2026-01-01..2026-03-31" }, NOW).errors).toEqual({});
    for (const outside of [{ start: "2025-12-31", end: "2026-01-31" }, { start: "2026-03-01", end: "2026-04-01" }, "last_7_days", "2025-01-01..2027-01-01", "whenever"]) {
      expect(applyPolicy([period], free, clamp, { period: outside }, NOW).errors, JSON.stringify(outside)).toEqual({
        "variables.period": ["Dates must be between 2026-01-01 and 2026-03-31 on this link"],
      });
    }
    expect(applyPolicy([day], free, clamp, { day: "2026-04-02" }, NOW).errors).toHaveProperty("variables.day");
    expect(applyPolicy([day], free, clamp, { day: "2026-03-02" }, NOW).values).toEqual({ day: "2026-03-02" });
  });

  test("dates the link chose (defaults, fixed values) are moved inside the clamp", () => {
    // The default "last 30 days" of 2026-06-15 lies wholly after the clamp: the run reads the clamp's own range.
    expect(applyPolicy([period], {}, clamp, {}, NOW).values).toEqual({ period: { start: "2026-01-01", end: "2026-03-31" } });
    expect(applyPolicy([period], { period: { mode: "free" } }, { from: "2026-06-01" }, {}, NOW).values).toEqual({ period: { start: "2026-06-01", end: "2026-06-15" } });
    expect(applyPolicy([period], { period: { mode: "locked", value: { start: "2026-03-01", end: "2026-05-01" } } }, clamp, {}, NOW).values).toEqual({
      period: { start: "2026-03-01", end: "2026-03-31" },
    });
    expect(applyPolicy([day], {}, clamp, {}, NOW).values).toEqual({ day: "2026-03-31" });
    // Inside already: left to the dashboard's own default.
    expect(applyPolicy([period], {}, { from: "2026-01-01" }, {}, NOW).values).toEqual({});
  });
});
