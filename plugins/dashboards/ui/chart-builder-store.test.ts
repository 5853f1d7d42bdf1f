/**
 * The chart builder's logic without a browser, against the real router, PostgreSQL and the
 * org's warehouse through the browser's tRPC client: choosing fields builds the visual query
 * and its SQL, "Switch to SQL" carries it over, Run gives a result (axes default from it) or an
 * error, and Save writes the chart into the dashboard's YAML, with the 409 path.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootDataKernel } from "../../data/test-helpers";
import { readDashboard } from "./doc";
import { workspace } from "../test-helpers";
import { createChartBuilderStore } from "./chart-builder-store";
import { clientAs } from "../../../tests/setup/browser-client";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let w: Awaited<ReturnType<typeof workspace>>;
beforeAll(async () => {
  k = await bootDataKernel();
  w = await workspace(k.kernel);
  await w.caller.data.importCsv({ orgId: w.org.id, table: "sales", csv: "region,amount\nnorth,10\nnorth,5\nsouth,7\n" });
}, 120_000);
afterAll(async () => k?.close());

const YAML = `title: Builder test
queries:
  numbers:
    sql: select 1 as x, 2 as y
charts:
  - id: numbers
    title: Numbers
    type: bar
    query: numbers
    x: x
    y: y
`;

/** A new dashboard and a builder opened on it (on `chartId`, if given). */
async function openBuilder(chartId?: string) {
  const created = await w.caller.dashboards.create({ ...w.at, yaml: YAML });
  const client = clientAs(k.kernel, w.user.id);
  const record = await client.dashboards.get.query({ ...w.at, slug: created.slug });
  const store = createChartBuilderStore({
    record,
    chartId,
    scope: w.at,
    api: {
      preview: (input) => client.dashboards.preview.query(input),
      update: (input) => client.dashboards.update.mutate(input),
      get: (input) => client.dashboards.get.query(input),
      tables: async (orgId, sourceId) => (await client.data.describeTables.query({ orgId, sourceId })).tables,
    },
  });
  await store.init();
  return { store, record };
}

const stored = async (slug: string) => readDashboard((await w.caller.dashboards.get({ ...w.at, slug })).yaml);

describe("building a chart visually", () => {
  test("choosing a table, a dimension and a measure builds the query and its SQL; Run fills the axes; Save writes it into the YAML", async () => {
    const { store, record } = await openBuilder();
    expect(store.mode()).toBe("visual");
    expect(store.existing).toBeUndefined();
    expect(store.settings.id).toBe("chart");
    expect(store.compiled()).toBeNull();

    const sales = store.tables()!.find((t) => t.name === "sales")!;
    store.pickTable(sales.name);
    expect(store.columns()).toEqual(["region", "amount"]);
    store.dimensions.add({ column: store.columns()[0]! });
    store.measures.add({ fn: "count" });
    store.measures.update(0, { fn: "sum", column: "amount" });
    expect(store.visual).toMatchObject({ table: "sales", dimensions: [{ column: "region" }], measures: [{ fn: "sum", column: "amount" }] });
    expect(store.compiled()?.ok).toBe(true);
    expect(store.currentSql()).toMatch(/sum\("amount"\)[\s\S]*group by/i);
    const named = store.outputColumns();
    expect(named).toHaveLength(2);

    await store.run();
    expect(store.runError()).toBeNull();
    const result = store.result();
    expect(result?.ok && result.rows.length).toBe(2);
    expect(store.settings.x).toBe(named[0]);
    expect(store.settings.y).toBe(named[1]);

    store.setSetting("title", "Sales by region");
    const saved = await store.save();
    expect(saved).toEqual({ version: 2 });
    const doc = await stored(record.slug);
    expect(doc.charts?.find((c) => c.id === "chart")).toMatchObject({ title: "Sales by region", type: "bar", query: "chart", x: named[0], y: named[1] });
    expect(doc.queries?.chart).toEqual({ visual: expect.objectContaining({ table: "sales", measures: [{ fn: "sum", column: "amount" }] }) });
  });

  test("removing and re-picking: a new table starts the visual query over", async () => {
    const { store } = await openBuilder();
    store.pickTable("sales");
    store.dimensions.add({ column: "region" });
    store.dimensions.update(0, { truncate: "month" });
    store.dimensions.update(0, { truncate: undefined });
    expect(store.visual.dimensions).toEqual([{ column: "region" }]);
    store.filters.add({ column: "region", op: "eq", value: "north" });
    store.dimensions.remove(0);
    expect(store.visual.dimensions).toEqual([]);
    store.pickTable("sales");
    expect(store.visual.filters).toEqual([]);
  });

  test("Switch to SQL carries the compiled SQL into the SQL editor; Run runs the SQL", async () => {
    const { store } = await openBuilder();
    const shown: string[] = [];
    store.attachSqlEditor({ getValue: () => shown.at(-1) ?? "", setValue: (t) => shown.push(t), focus: () => {} });
    store.pickTable("sales");
    store.measures.add({ fn: "count" });
    const sql = store.currentSql();
    store.switchToSql();
    expect(store.mode()).toBe("sql");
    expect(store.sqlText()).toBe(sql);
    expect(shown.at(-1)).toBe(sql);
    store.setSql("select region, amount from sales order by amount");
    await store.run();
    const result = store.result();
    expect(result?.ok && result.rows.map((r) => r.amount)).toEqual([5, 7, 10]);
  });
});

describe("run states", () => {
  test("nothing to run, a broken query, and a failing query each say what is wrong", async () => {
    const { store } = await openBuilder();
    await store.run();
    expect(store.runError()).toBe("Pick a table first.");
    store.acceptSql("   ");
    await store.run();
    expect(store.runError()).toBe("Write a query first.");
    store.setSql("select no_such_column from sales");
    await store.run();
    expect(store.result()?.ok).toBe(false);
    expect(store.runError()).toMatch(/no_such_column/);
    expect(store.running()).toBe(false);
    store.setSql("select {{nobody}}");
    await store.run();
    expect(store.runError()).toMatch(/nobody/);
  });
});

describe("saving", () => {
  test("an invalid or taken chart id, or no query, is refused before anything is sent", async () => {
    const { store, record } = await openBuilder();
    store.setSetting("id", "9lives");
    expect(await store.save()).toBeNull();
    expect(store.saveError()).toMatch(/must start with a letter/);
    store.setSetting("id", "numbers");
    expect(await store.save()).toBeNull();
    expect(store.saveError()).toMatch(/already has a chart “numbers”/);
    store.setSetting("id", "fresh");
    expect(await store.save()).toBeNull();
    expect(store.saveError()).toBe("Build or write the query first.");
    store.setSetting("type", "line");
    expect(store.saveError()).toBeNull();
    expect((await w.caller.dashboards.get({ ...w.at, slug: record.slug })).version).toBe(1);
  });

  test("a save over a newer version offers it; saving on top keeps both changes", async () => {
    const { store, record } = await openBuilder();
    await w.caller.dashboards.update({ ...w.at, slug: record.slug, yaml: YAML.replace("title: Builder test", "title: Renamed meanwhile"), version: 1 });
    store.acceptSql("select region from sales");
    store.setSetting("id", "regions");
    store.setSetting("type", "table");
    expect(await store.save()).toBeNull();
    expect(store.conflict()).toMatchObject({ version: 2, title: "Renamed meanwhile" });
    expect(await store.save(store.conflict()!)).toEqual({ version: 3 });
    expect(store.conflict()).toBeNull();
    const doc = await stored(record.slug);
    expect(doc.title).toBe("Renamed meanwhile");
    expect(doc.charts?.map((c) => c.id)).toEqual(["numbers", "regions"]);
    expect(doc.queries?.regions).toEqual({ sql: "select region from sales" });
  });
});

describe("editing a saved chart", () => {
  test("opens with its SQL and settings; a new type saves over it", async () => {
    const { store, record } = await openBuilder("numbers");
    expect(store.existing?.id).toBe("numbers");
    expect(store.missing).toBe(false);
    expect(store.mode()).toBe("sql");
    expect(store.sqlText()).toBe("select 1 as x, 2 as y");
    expect(store.settings).toMatchObject({ id: "numbers", title: "Numbers", type: "bar", x: "x", y: "y" });
    store.setSetting("type", "line");
    expect(await store.save()).toEqual({ version: 2 });
    const doc = await stored(record.slug);
    expect(doc.charts).toEqual([{ id: "numbers", title: "Numbers", type: "line", query: "numbers", x: "x", y: "y" }]);
  });

  test("a chart the dashboard does not have builds a new one", async () => {
    const { store } = await openBuilder("ghost");
    expect(store.missing).toBe(true);
    expect(store.existing).toBeUndefined();
    expect(store.settings.id).toBe("chart");
  });
});
