/**
 * CSV import into the warehouse (the upload procedure and the stream path the CLI uses) and
 * the sample dataset, on real PostgreSQL.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ZodError } from "zod";
import { fieldErrorsOf as fieldErrorsOfZod } from "~/kernel/errors";
import type { EventEnvelope } from "~/kernel/events";
import { parseCsv, TypeInference, columnNames } from "./csv";
import { importCsv, PROGRESS_EVERY } from "./import";
import { generateSample, SAMPLE_COUNTS } from "./sample";
import { bootDataKernel, member } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

async function fieldErrorsOf(promise: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string[]> }> {
  const err = (await promise.then(() => null, (e: unknown) => e)) as TRPCError;
  expect(err).toBeInstanceOf(TRPCError);
  const fields = err.cause instanceof ZodError ? fieldErrorsOfZod(err.cause) : ((err.cause as { fields?: Record<string, string[]> })?.fields ?? {});
  return { code: err.code, message: err.message, fields };
}

describe("the CSV parser", () => {
  async function* chunks(s: string, n: number) {
    for (let i = 0; i < s.length; i += n) yield s.slice(i, i + n);
  }
  test("RFC 4180 quoting, CRLF, blank lines and line numbers, whatever the chunking", async () => {
    const input = '\ufeffa,b,c\r\n1,"x,y",3\n\n4,"he said ""hi""\nthere",6\r\n7,8\n"open,9';
    for (const size of [1, 2, 7, 1000]) {
      const out = [];
      for await (const r of parseCsv(chunks(input, size))) out.push(r);
      expect(out).toEqual([
        { line: 1, fields: ["a", "b", "c"] },
        { line: 2, fields: ["1", "x,y", "3"] },
        { line: 4, fields: ["4", 'he said "hi"\nthere', "6"] },
        { line: 6, fields: ["7", "8"] },
        { line: 7, fields: ["open,9"], unterminated: true },
      ]);
    }
  });

  test("types are inferred from every value", () => {
    const inference = new TypeInference(8);
    const rows = [
      ["1", "1.5", "true", "2024-01-02", "2024-01-02 10:00", "2024-01-02T10:00:00Z", "007", "x"],
      ["-20", "3", "no", "2024-02-29", "2024-01-03", "2024-01-02 10:00:00+02", "010", null],
      ["3000000000", "1e3", "F", "2023-12-31", "2024-01-02T23:59:59.5", "2024-01-02 10:00Z", "3", "7"],
    ];
    for (const r of rows) inference.observe(r);
    expect(inference.result()).toEqual(["bigint", "numeric", "boolean", "date", "timestamp", "timestamptz", "text", "text"]);
    const invalidDate = new TypeInference(1);
    invalidDate.observe(["2023-02-29"]);
    expect(invalidDate.result()).toEqual(["text"]);
  });

  test("header cells become safe, unique column names", () => {
    expect(columnNames(["Order ID", "order id", "", "2024 total", "Prix (€)", "pg_x", '"; drop table x; --'])).toEqual([
      "order_id",
      "order_id_2",
      "column_3",
      "c_2024_total",
      "prix",
      "c_pg_x",
      "drop_table_x",
    ]);
  });
});

describe("importing a CSV", () => {
  test("types inferred, a bad row reported with its line, the good rows imported", async () => {
    const { org, caller } = await member(k.kernel);
    const csv = ["id,name,price,active,joined", "1,Ada,10.50,true,2024-01-02", "2,Alan,7,false,2024-02-03", "3,Grace,oops", '4,"Hopper, G.",12,yes,2024-03-04', ""].join("\n");
    const result = await caller.data.importCsv({ orgId: org.id, table: "people", csv });
    expect(result).toMatchObject({
      table: "people",
      mode: "replace",
      created: true,
      rowsImported: 3,
      rowsRejected: 1,
      errors: [{ line: 4, message: "Expected 5 fields, found 3" }],
      columns: [
        { name: "id", type: "integer" },
        { name: "name", type: "text" },
        { name: "price", type: "numeric" },
        { name: "active", type: "boolean" },
        { name: "joined", type: "date" },
      ],
    });
    const rows = await caller.data.runQuery({ orgId: org.id, sql: "select id, name, price, active, joined from people order by id" });
    expect(rows.rows).toEqual([
      [1, "Ada", 10.5, true, "2024-01-02"],
      [2, "Alan", 7, false, "2024-02-03"],
      [4, "Hopper, G.", 12, true, "2024-03-04"],
    ]);
  });

  test("replace recreates the table; append adds rows and checks them against the columns", async () => {
    const { org, caller } = await member(k.kernel);
    await caller.data.importCsv({ orgId: org.id, table: "sales", csv: "day,amount\n2024-01-01,10\n2024-01-02,20\n" });
    const appended = await caller.data.importCsv({ orgId: org.id, table: "sales", mode: "append", csv: "amount,day\n30,2024-01-03\nlots,2024-01-04\n40,not a day\n" });
    expect(appended).toMatchObject({
      created: false,
      rowsImported: 1,
      rowsRejected: 2,
      errors: [
        { line: 3, message: 'Column "amount": "lots" is not an integer' },
        { line: 4, message: 'Column "day": "not a day" is not a date (YYYY-MM-DD)' },
      ],
    });
    expect((await caller.data.runQuery({ orgId: org.id, sql: "select sum(amount)::int, count(*) from sales" })).rows).toEqual([[60, 3]]);

    const replaced = await caller.data.importCsv({ orgId: org.id, table: "sales", mode: "replace", csv: "region,amount\nnorth,1.5\n" });
    expect(replaced).toMatchObject({ created: false, rowsImported: 1, columns: [{ name: "region", type: "text" }, { name: "amount", type: "numeric" }] });
    expect((await caller.data.runQuery({ orgId: org.id, sql: "select * from sales" })).rows).toEqual([["north", 1.5]]);

    const unknownColumn = await fieldErrorsOf(caller.data.importCsv({ orgId: org.id, table: "sales", mode: "append", csv: "region,colour\nx,y\n" }));
    expect(unknownColumn.code).toBe("UNPROCESSABLE_CONTENT");
    expect(unknownColumn.fields.csv?.[0]).toMatch(/no column "colour"/);
  });

  test("bad table names, empty files and files with only bad rows are refused with a field", async () => {
    const { org, caller } = await member(k.kernel);
    for (const table of ["Bad Name", "x;drop", "pg_class", "1abc", "a".repeat(64), "public.x", 'x"y']) {
      const err = await fieldErrorsOf(caller.data.importCsv({ orgId: org.id, table, csv: "a\n1\n" }));
      expect(err.code, table).toBe("UNPROCESSABLE_CONTENT");
      expect(Object.keys(err.fields), table).toEqual(["table"]);
    }
    expect((await fieldErrorsOf(caller.data.importCsv({ orgId: org.id, table: "t", csv: "" }))).fields.csv?.[0]).toMatch(/empty/);
    expect((await fieldErrorsOf(caller.data.importCsv({ orgId: org.id, table: "t", csv: "a,b\n1\n2\n" }))).fields.csv?.[0]).toMatch(/No row could be imported.*line 2/);
  });

  test("progress events every N rows, then done; the stream path (the CLI's) gives the same result", async () => {
    const { org } = await member(k.kernel);
    const events: EventEnvelope<"data.import.progress">[] = [];
    const off = k.kernel.events.on("data.import.progress", (e) => void events.push(e));
    const dir = mkdtempSync(path.join(tmpdir(), "atrium-csv-"));
    const file = path.join(dir, "big.csv");
    const rows = PROGRESS_EVERY * 2 + 500;
    writeFileSync(file, ["n,label,at", ...Array.from({ length: rows }, (_, i) => `${i},row ${i},2024-01-01 00:00:${String(i % 60).padStart(2, "0")}`)].join("\n"));
    const result = await importCsv(k.kernel, createReadStream(file, { highWaterMark: 4096 }), { orgId: org.id, db: k.kernel.ownerDb, table: "big", mode: "replace", importId: "00000000-0000-4000-8000-000000000001" });
    expect(result).toMatchObject({ rowsImported: rows, rowsRejected: 0, columns: [{ type: "integer" }, { type: "text" }, { type: "timestamp" }] });
    await expect.poll(() => events.some((e) => e.payload.done)).toBe(true);
    off();
    const mine = events.filter((e) => e.payload.importId === "00000000-0000-4000-8000-000000000001");
    expect(mine.every((e) => e.orgId === org.id)).toBe(true);
    expect(mine.map((e) => [e.payload.rows, e.payload.done])).toEqual([
      [PROGRESS_EVERY, false],
      [PROGRESS_EVERY * 2, false],
      [rows, true],
    ]);
    expect(mine.at(-1)!.payload.bytes).toBe(result.bytes);
  });
});

describe("the upload size cap", () => {
  test("a CSV over CSV_MAX_BYTES is refused with a field error and nothing is created", async () => {
    const small = await bootDataKernel({ csvMaxBytes: 100 });
    try {
      const { org, caller } = await member(small.kernel);
      const err = await fieldErrorsOf(caller.data.importCsv({ orgId: org.id, table: "big", csv: `a\n${"1\n".repeat(200)}` }));
      expect(err.code).toBe("UNPROCESSABLE_CONTENT");
      expect(err.fields.csv?.[0]).toMatch(/larger than 100 bytes/);
      await expect(caller.data.runQuery({ orgId: org.id, sql: "select * from big" })).rejects.toThrow(/does not exist/);
    } finally {
      await small.close();
    }
  });
});

describe("the sample dataset", () => {
  test("is deterministic", () => {
    const a = generateSample();
    const b = generateSample();
    expect(a.orders.total.slice(0, 50)).toEqual(b.orders.total.slice(0, 50));
    expect(a.order_items.order_id.length).toBe(b.order_items.order_id.length);
    expect(generateSample(1).customers.name.slice(0, 20)).not.toEqual(a.customers.name.slice(0, 20));
  });

  test("loads ≥ 100k related rows in one click, and reloads idempotently", async () => {
    const { org, caller } = await member(k.kernel);
    const first = await caller.data.loadSample({ orgId: org.id });
    expect(first.totalRows).toBeGreaterThanOrEqual(100_000);
    expect(first.tables.map((t) => t.name)).toEqual(["sample.customers", "sample.products", "sample.orders", "sample.order_items", "sample.events"]);
    const counts = await caller.data.runQuery({
      orgId: org.id,
      sql: `select (select count(*) from sample.customers), (select count(*) from sample.products), (select count(*) from sample.orders),
                   (select count(*) from sample.order_items), (select count(*) from sample.events)`,
    });
    const [customers, products, orders, items, events] = counts.rows[0] as number[];
    expect({ customers, products, orders, events }).toEqual(SAMPLE_COUNTS);
    expect(items).toBe(first.tables[3]!.rows);
    // Related: every order item points at an order and a product; totals add up.
    const check = await caller.data.runQuery({
      orgId: org.id,
      sql: `select count(*) filter (where o.id is null or p.id is null)::int as orphans,
                   (select count(*)::int from sample.orders o2 where o2.total <> (select sum(quantity * unit_price) from sample.order_items i2 where i2.order_id = o2.id)) as bad_totals
            from sample.order_items i left join sample.orders o on o.id = i.order_id left join sample.products p on p.id = i.product_id`,
    });
    expect(check.rows).toEqual([[0, 0]]);
    const again = await caller.data.loadSample({ orgId: org.id });
    expect(again.totalRows).toBe(first.totalRows);
    const { tables } = await caller.data.describeTables({ orgId: org.id });
    expect(tables.filter((t) => t.schema === "sample").map((t) => [t.name, t.rowEstimate])).toEqual([
      ["customers", SAMPLE_COUNTS.customers],
      ["events", SAMPLE_COUNTS.events],
      ["order_items", first.tables[3]!.rows],
      ["orders", SAMPLE_COUNTS.orders],
      ["products", SAMPLE_COUNTS.products],
    ]);
  }, 60_000);
});
