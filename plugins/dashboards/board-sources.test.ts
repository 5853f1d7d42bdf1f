/**
 * A project's dbt Charts source mapping on real PostgreSQL: a board's source name maps to one of
 * the org's data sources and its queries run there; an unmapped name is listed (on the board's
 * record and the mapping page's procedure) until it is mapped; tenancy and hostile input hold.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootDataKernel, createExternalDatabase } from "../data/test-helpers";
import { colleague, createProject, rejectionOf, workspace } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let ws: Awaited<ReturnType<typeof workspace>>;
let ext: Awaited<ReturnType<typeof createExternalDatabase>>;
beforeAll(async () => {
  k = await bootDataKernel();
  ws = await workspace(k.kernel);
  ext = await createExternalDatabase();
}, 120_000);
afterAll(async () => {
  await k?.close();
  await ext?.drop();
});

const BOARD = `title: Items
source: shop
queries:
  items: SELECT count(*)::int AS n FROM items
charts:
  count:
    type: kpi
    query: items
    value: n
rows:
  - count
`;

describe("dbt Charts source mapping", () => {
  test("an unmapped source is listed; once mapped, the board's queries run on the mapped source", async () => {
    const board = await ws.caller.dashboards.create({ ...ws.at, yaml: BOARD, format: "dbt-charts" });
    const before = await ws.caller.dashboards.get({ ...ws.at, slug: board.slug });
    expect(before.unmappedSources).toEqual(["shop"]);
    const listed = await ws.caller.dashboards.boardSources(ws.at);
    expect(listed.items).toEqual([{ name: "shop", sourceId: null, sourceName: null, mapped: false, boards: [{ slug: board.slug, title: "Items" }] }]);
    expect(listed.sources.map((s) => s.id)).toEqual(["warehouse"]);

    // Unmapped, the query cannot reach a source: an error in place, not a 500.
    const unmappedRun = (await ws.caller.dashboards.run({ ...ws.at, slug: board.slug })).results.items!;
    expect(unmappedRun.ok).toBe(false);

    const source = await ws.caller.data.sources.create({ orgId: ws.org.id, name: "Shop DB", type: "postgres", config: ext.config });
    const mapped = await ws.caller.dashboards.mapBoardSource({ ...ws.at, name: "shop", sourceId: source.id });
    expect(mapped).toMatchObject({ name: "shop", sourceId: source.id, sourceName: "Shop DB", mapped: true });
    const after = await ws.caller.dashboards.get({ ...ws.at, slug: board.slug });
    expect(after.unmappedSources).toEqual([]);
    expect(after.document?.source).toBe(source.id);
    const run = (await ws.caller.dashboards.run({ ...ws.at, slug: board.slug })).results.items!;
    expect(run.ok && run.rows).toEqual([{ n: 3 }]);
    const svg = await ws.caller.dashboards.renderChart({ ...ws.at, slug: board.slug, chartId: "count" });
    expect(svg.svg).toContain("3");

    // Unmapping brings the notice back; a second unmap removes nothing.
    expect(await ws.caller.dashboards.unmapBoardSource({ ...ws.at, name: "shop" })).toEqual({ name: "shop", removed: true });
    expect(await ws.caller.dashboards.unmapBoardSource({ ...ws.at, name: "shop" })).toEqual({ name: "shop", removed: false });
    expect((await ws.caller.dashboards.get({ ...ws.at, slug: board.slug })).unmappedSources).toEqual(["shop"]);
  });

  test("`warehouse` is the built-in warehouse until mapped; the mapping is per project", async () => {
    const other = await createProject(k.kernel, ws.org.id);
    const at = { orgId: ws.org.id, projectId: other.id };
    await ws.caller.dashboards.create({ ...at, yaml: BOARD.replace("source: shop", "source: warehouse"), format: "dbt-charts" });
    const listed = await ws.caller.dashboards.boardSources(at);
    expect(listed.items).toEqual([expect.objectContaining({ name: "warehouse", sourceId: "warehouse", mapped: false })]);
    // The first project's mapping of "shop" does not reach this one.
    await ws.caller.dashboards.mapBoardSource({ ...ws.at, name: "shop", sourceId: "warehouse" });
    expect((await ws.caller.dashboards.boardSources(at)).items.map((i) => i.name)).toEqual(["warehouse"]);
  });

  test("hostile input: a source of another org, a bad name, a viewer, a non-member", async () => {
    const stranger = await workspace(k.kernel);
    const theirs = await stranger.caller.data.sources.create({ orgId: stranger.org.id, name: "Theirs", type: "postgres", config: ext.config });
    const foreign = await rejectionOf(ws.caller.dashboards.mapBoardSource({ ...ws.at, name: "shop", sourceId: theirs.id }));
    expect(foreign.code).toBe("UNPROCESSABLE_CONTENT");
    expect(foreign.fields.sourceId?.[0]).toMatch(/no data source/);
    for (const name of ["", "../x", "a b", "x".repeat(101), "'; drop table x; --", "\u0000"]) {
      const bad = await rejectionOf(ws.caller.dashboards.mapBoardSource({ ...ws.at, name, sourceId: "warehouse" }));
      expect(bad.code === "BAD_REQUEST" || bad.code === "UNPROCESSABLE_CONTENT").toBe(true);
    }
    const viewer = await colleague(k.kernel, ws.org.id, "viewer");
    expect((await viewer.caller.dashboards.boardSources(ws.at)).items.length).toBeGreaterThan(0);
    expect((await rejectionOf(viewer.caller.dashboards.mapBoardSource({ ...ws.at, name: "shop", sourceId: "warehouse" }))).code).toBe("FORBIDDEN");
    expect((await rejectionOf(stranger.caller.dashboards.boardSources(ws.at))).code).toBe("NOT_FOUND");
    expect((await rejectionOf(stranger.caller.dashboards.unmapBoardSource({ ...ws.at, name: "shop" }))).code).toBe("NOT_FOUND");
  });
});
