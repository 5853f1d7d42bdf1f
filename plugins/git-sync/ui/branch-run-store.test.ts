/**
 * The branch view's charts without a browser, through the browser's tRPC client against the real
 * router, a real bare repository and PostgreSQL: a branch's charts show its own rows, a variable
 * chosen reruns them, another branch starts from its defaults, an answer overtaken by a newer
 * request is dropped, and a refusal (a value that does not fit) is a problem in place.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { clientAs } from "../../../tests/setup/browser-client";
import { bootDataKernel } from "../../data/test-helpers";
import { colleague, workspace } from "../../dashboards/test-helpers";
import { createRemote } from "../test-repos";
import { createBranchRunStore } from "./branch-run-store";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-branch-store-"));
const remotes: Array<{ remove: () => void }> = [];

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  k = await bootDataKernel();
}, 120_000);
afterAll(async () => {
  await k?.close();
  for (const r of remotes) r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

const yaml = (title: string, n: number) => `title: ${JSON.stringify(title)}
variables:
  - name: factor
    type: number
    default: 1
queries:
  totals:
    sql: select ${n} * {{ factor }} as n
charts:
  - id: total
    title: Total
    type: kpi
    query: totals
    value: n
  - id: note
    type: text
    markdown: Just text
`;

test("a branch's charts show its rows; a variable reruns them; another branch starts from its defaults; an overtaken answer is dropped; a refusal is said in place", async () => {
  const w = await workspace(k.kernel);
  const r = createRemote("main");
  remotes.push(r);
  r.commit({ "dashboards/sales.yaml": yaml("Sales", 1) });
  await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
  const editor = await colleague(k.kernel, w.org.id, "editor");
  await editor.caller.dashboards.update({ ...w.at, slug: "sales", version: 1, yaml: yaml("Sales on the branch", 42) });
  const { branch } = await editor.caller.gitSync.commit({ ...w.at, message: "Branch sales" });

  const viewer = await colleague(k.kernel, w.org.id, "viewer");
  const client = clientAs(k.kernel, viewer.user.id);
  const store = createBranchRunStore({ run: (input) => client.gitSync.runAtBranch.query(input) });
  const onBranch = { ...w.at, slug: "sales", branch };
  const onTrunk = { ...w.at, slug: "sales", branch: "main" };

  const first = store.show(onBranch);
  expect(store.running()).toBe(true);
  expect(store.resultFor("total")).toBeUndefined();
  await first;
  expect(store.running()).toBe(false);
  expect(store.document()?.title).toBe("Sales on the branch");
  expect(store.resultFor("total")).toMatchObject({ ok: true, rows: [{ n: 42 }] });
  expect(store.resultFor("note")).toBeUndefined();
  expect(store.resultFor("nowhere")).toBeUndefined();

  await store.setVariable("factor", 3);
  expect(store.values()).toEqual({ factor: 3 });
  expect(store.resultFor("total")).toMatchObject({ ok: true, rows: [{ n: 126 }] });

  // Another branch: its defaults, and nothing of the previous branch shown meanwhile.
  const toTrunk = store.show(onTrunk);
  expect(store.answer()).toBeNull();
  expect(store.values()).toEqual({});
  await toTrunk;
  expect(store.answer()).toMatchObject({ branch: "main", trunk: true });
  expect(store.resultFor("total")).toMatchObject({ ok: true, rows: [{ n: 1 }] });

  // Two requests in flight: only the newer one's answer stays.
  const older = store.show(onBranch);
  const newer = store.show(onTrunk);
  await Promise.all([older, newer]);
  expect(store.answer()?.branch).toBe("main");
  expect(store.running()).toBe(false);

  // A value that does not fit the branch's variable: said in place, the last answer kept.
  await store.setVariable("factor", "lots");
  expect(store.problem()?.message).toMatch(/factor/);
  expect(store.answer()?.branch).toBe("main");
  await store.setVariable("factor", 2);
  expect(store.problem()).toBeNull();
  expect(store.resultFor("total")).toMatchObject({ ok: true, rows: [{ n: 2 }] });
});
