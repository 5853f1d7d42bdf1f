import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, test } from "vitest";
import { startEmbeddedPostgres } from "~/kernel/db/embedded";
import { runCli } from "../../scripts/cli";
import { testPlugins } from "../setup/plugins";

const dataDir = mkdtempSync(path.join(tmpdir(), "atrium-embedded-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

test("the embedded cluster is shared while running, stopped by its owner, and keeps its data", async () => {
  const first = await startEmbeddedPostgres(dataDir);
  expect(first.owned).toBe(true);
  // The superuser password is generated and kept private to the owner.
  expect(statSync(path.join(dataDir, "db.json")).mode & 0o777).toBe(0o600);
  await query(first.adminUrl, "create table kept (v text); insert into kept values ('still here')");

  // A second process (the CLI while the app runs) reuses the running server and does not own it.
  const second = await startEmbeddedPostgres(dataDir);
  expect(second.owned).toBe(false);
  expect(new URL(second.adminUrl).port).toBe(new URL(first.adminUrl).port);
  await second.stop();
  expect(await query(first.adminUrl, "select v from kept")).toEqual([{ v: "still here" }]);

  // The CLI works on the same cluster, then leaves it running because it did not start it.
  const lines: string[] = [];
  const code = await runCli(["db:migrate"], { plugins: testPlugins, print: (l) => lines.push(l), env: { ATRIUM_DATA_DIR: dataDir, LOG_LEVEL: "silent" } });
  expect(code).toBe(0);
  expect(lines.join("\n")).toContain("kernel/2026-11-23-001-tenancy");
  expect(await query(first.adminUrl, "select 1 as up")).toEqual([{ up: 1 }]);

  await first.stop();
  await expect(query(first.adminUrl, "select 1")).rejects.toThrow();

  // A new start reuses the data directory: nothing initialised again, nothing lost.
  const third = await startEmbeddedPostgres(dataDir);
  expect(third.owned).toBe(true);
  expect(await query(third.adminUrl, "select v from kept")).toEqual([{ v: "still here" }]);
  await third.stop();
}, 60_000);
