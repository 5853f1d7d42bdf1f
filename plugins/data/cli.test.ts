/** The data plugin's CLI commands, through the real `atrium` CLI entry point. */
import { runCliOn } from "../../tests/setup/cli";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { bootDataKernel, member } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

const cli = (args: string[]) => runCliOn(k.url, args);

test("warehouse:import streams a file (replace, then --append) and reports bad rows by line", async () => {
  const { org, caller } = await member(k.kernel);
  const slug = (await k.kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", org.id).executeTakeFirstOrThrow()).slug;
  const dir = mkdtempSync(path.join(tmpdir(), "atrium-cli-"));
  const file = path.join(dir, "data.csv");
  writeFileSync(file, "City,Population\nLagos,15388000\nOslo\nLima,10719000\n");

  const first = await cli(["warehouse:import", "--org", slug, "--table", "cities", "--file", file]);
  expect(first.err).toBe("");
  expect(first.code).toBe(0);
  expect(first.out).toContain("imported 2 rows into cities");
  expect(first.out).toContain('city\ttext\t(from "City")');
  expect(first.out).toContain("population\tinteger");
  expect(first.out).toContain("line 3: Expected 2 fields, found 1");

  writeFileSync(file, "city,population\nQuito,2800000\n");
  const appended = await cli(["warehouse:import", "--org", slug, "--table", "cities", "--file", file, "--append"]);
  expect(appended.out).toContain("appended 1 rows into cities");
  const rows = await caller.data.runQuery({ orgId: org.id, sql: "select city from cities order by city" });
  expect(rows.rows).toEqual([["Lagos"], ["Lima"], ["Quito"]]);

  const badTable = await cli(["warehouse:import", "--org", slug, "--table", "Bad Name", "--file", file]);
  expect(badTable.code).not.toBe(0);
  expect(badTable.err).toMatch(/table: Use lower-case letters/);
  const noOrg = await cli(["warehouse:import", "--org", "no-such-org", "--table", "t", "--file", file]);
  expect(noOrg.err).toMatch(/No organization with slug no-such-org/);
});

test("sample:load loads the sample dataset", async () => {
  const { org, caller } = await member(k.kernel);
  const slug = (await k.kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", org.id).executeTakeFirstOrThrow()).slug;
  const result = await cli(["sample:load", "--org", slug]);
  expect(result.err).toBe("");
  expect(result.out).toMatch(/sample\.orders\t40000/);
  expect(result.out).toMatch(/loaded \d{6} rows/);
  const count = await caller.data.runQuery({ orgId: org.id, sql: "select count(*) from sample.customers" });
  expect(count.rows).toEqual([[5000]]);
}, 60_000);
