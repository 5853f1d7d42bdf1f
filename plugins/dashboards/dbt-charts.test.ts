/**
 * dbt Charts boards stored and run as Atrium dashboards, on real PostgreSQL over the sample
 * dataset: templates run as bound parameters (hostile values stay data), the board keeps its
 * format through saves, validation points at lines, and the CLI imports and exports the format.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCliOn } from "../../tests/setup/cli";
import { loadSample } from "../data/sample";
import { bootDataKernel } from "../data/test-helpers";
import { readDbtCharts } from "./document/dbt-charts";
import { rejectionOf, simpleYaml, workspace } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let ws: Awaited<ReturnType<typeof workspace>>;
beforeAll(async () => {
  k = await bootDataKernel();
  ws = await workspace(k.kernel);
  await loadSample(k.kernel, k.kernel.ownerDb, ws.org.id);
}, 120_000);
afterAll(async () => k?.close());

const BOARD = `# Orders board, kept as dbt Charts YAML.
title: Orders
source: warehouse
variables:
  channel:
    input: select
    options: { static: [web, mobile, marketplace] }
  statuses:
    input: multiselect
    options: { static: [completed, refunded, cancelled] }
  period:
    input: daterange
    default: [2024-01-01, 2025-12-31]
  min_total:
    input: slider
    min: 0
    max: 100000
  days:
    input: number
    default: 100000
  search:
    input: text
queries:
  totals: |
    SELECT count(*)::int AS orders
    FROM sample.orders
    WHERE {{ filter('channel', channel) }}
      AND {{ filter('status', statuses) }}
      AND {{ filter_date_range('ordered_at', period) }}
      AND {{ filter('total', min_total, '>=') }}
      AND ordered_at > now() - interval '{{ days }} days'
  echo: "SELECT {{ search }}::text AS said, 'it''s {{ search }}' AS quoted"
charts:
  orders_kpi:
    type: kpi
    query: totals
    value: orders
    label: Orders in {{ channel }}
    style: { value: { format: integer } }
  said:
    type: table
    query: echo
rows:
  - cols: [orders_kpi, said]
`;

describe("dbt Charts boards on real PostgreSQL", () => {
  test("a stored board runs its templates as bound parameters; hostile values stay data", async () => {
    const created = await ws.caller.dashboards.create({ ...ws.at, yaml: BOARD, format: "dbt-charts" });
    const run = (variables: Record<string, unknown> = {}) => ws.caller.dashboards.run({ ...ws.at, slug: created.slug, variables });
    // An empty select (null) filters nothing; without a value it takes its first option, as Atrium's selects do.
    const count = async (variables: Record<string, unknown> = {}) => {
      const r = (await run({ channel: null, ...variables })).results.totals!;
      if (!r.ok) throw new Error(r.error.message);
      return r.rows[0]!.orders as number;
    };
    const all = await count();
    expect(all).toBeGreaterThan(0);
    const web = await count({ channel: "web" });
    expect(web).toBeGreaterThan(0);
    expect(web).toBeLessThan(all);
    const completed = await count({ statuses: ["completed"] });
    expect(completed).toBeGreaterThan(0);
    expect(completed).toBeLessThan(all);
    expect(await count({ statuses: ["completed", "refunded", "cancelled"] })).toBeLessThanOrEqual(all);
    expect(await count({ min_total: 100000 })).toBeLessThan(all);
    expect(await count({ days: 1 })).toBe(0);

    const hostile = "x'; DROP TABLE sample.orders; --";
    const echo = (await run({ search: hostile })).results.echo!;
    if (!echo.ok) throw new Error(echo.error.message);
    expect(echo.rows[0]).toEqual({ said: hostile, quoted: `it's ${hostile}` });
    expect(await count()).toBe(all);
    // A value that is not one of the static options is refused, never run.
    expect((await rejectionOf(run({ channel: "web' OR '1'='1" }))).code).toBe("UNPROCESSABLE_CONTENT");
  });

  test("get returns the board as written with its format; saving keeps the format; errors point at lines", async () => {
    const created = await ws.caller.dashboards.create({ ...ws.at, yaml: BOARD, slug: "kept", format: "dbt-charts" });
    const got = await ws.caller.dashboards.get({ ...ws.at, slug: created.slug });
    expect(got.format).toBe("dbt-charts");
    expect(got.yaml).toBe(BOARD);
    expect(got.document?.charts?.map((c) => c.id)).toEqual(["orders_kpi", "said"]);

    const edited = BOARD.replace("title: Orders", "title: Orders by channel");
    const saved = await ws.caller.dashboards.update({ ...ws.at, slug: created.slug, yaml: edited, version: got.version });
    const after = await ws.caller.dashboards.get({ ...ws.at, slug: saved.slug });
    expect([after.format, after.title, after.yaml]).toEqual(["dbt-charts", "Orders by channel", edited]);

    // An Atrium document is not a dbt Charts board: the save is refused, nothing changes.
    const refused = await rejectionOf(ws.caller.dashboards.update({ ...ws.at, slug: created.slug, yaml: simpleYaml("Other"), version: after.version }));
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    const broken = BOARD.replace("    value: orders\n", "    value: orders\n    valeu: orders\n");
    const invalid = await rejectionOf(ws.caller.dashboards.update({ ...ws.at, slug: created.slug, yaml: broken, version: after.version }));
    expect(invalid.fields["yaml.charts.orders_kpi.valeu"]).toBeDefined();
    expect((await ws.caller.dashboards.get({ ...ws.at, slug: created.slug })).version).toBe(after.version);

    const validated = await ws.caller.dashboards.validate({ ...ws.at, yaml: broken, format: "dbt-charts" });
    expect(validated.ok).toBe(false);
    expect(validated.errors[0]).toMatchObject({ code: "unknown_key", path: "charts.orders_kpi.valeu", line: 38 });
    expect(validated.errors[0]!.hint).toContain("`value`");
    const fine = await ws.caller.dashboards.validate({ ...ws.at, yaml: BOARD.replace("rows:", "theme: neon\nrows:"), format: "dbt-charts" });
    expect(fine).toMatchObject({ ok: true, notices: [{ code: "not_drawn", path: "theme" }] });
  });

  test("the CLI imports a board (its format recognized) and exports it as written; Atrium dashboards export as boards", async () => {
    const orgSlug = (await k.kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", ws.org.id).executeTakeFirstOrThrow()).slug;
    const where = ["--org", orgSlug, "--project", ws.project.slug];
    const dir = mkdtempSync(path.join(tmpdir(), "atrium-dbt-cli-"));
    const file = path.join(dir, "orders.yml");
    writeFileSync(file, BOARD.replace("title: Orders", "title: Orders from git").replace("rows:", "theme: neon\nrows:"));
    const imported = await runCliOn(k.url, ["dashboards:import", ...where, "--file", file]);
    expect(imported.err).toBe("");
    expect(imported.out).toContain(`created ${orgSlug}/${ws.project.slug}/orders-from-git (version 1, dbt Charts board)`);
    expect(imported.out).toContain("note: line 43: theme:");
    const printed = await runCliOn(k.url, ["dashboards:export", ...where, "--slug", "orders-from-git"]);
    expect(`${printed.out}\n`).toBe(readFileSync(file, "utf8"));

    await ws.caller.dashboards.create({ ...ws.at, yaml: simpleYaml("Native"), slug: "native" });
    const exported = await runCliOn(k.url, ["dashboards:export", ...where, "--slug", "native", "--format", "dbt-charts"]);
    const back = readDbtCharts(exported.out);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.doc.title).toBe("Native");
    const bad = await runCliOn(k.url, ["dashboards:export", ...where, "--slug", "native", "--format", "vega"]);
    expect(bad.err).toMatch(/--format is one of: atrium, dbt-charts/);
  });
});
