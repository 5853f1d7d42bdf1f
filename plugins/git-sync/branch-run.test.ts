/**
 * A dashboard drawn as a branch holds it (`gitSync.runAtBranch`), against a real bare repository
 * and real PostgreSQL: the branch's SQL runs (not the live dashboard's), the trunk's by default,
 * a failing query stays in place, a file that does not validate on the branch is answered with
 * its line, and who may run it follows the capabilities (another org: 404).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { bootDataKernel } from "../data/test-helpers";
import { dashboardView } from "../dashboards/capabilities";
import { colleague, rejectionOf, workspace } from "../dashboards/test-helpers";
import { gitView } from "./capabilities";
import { createRemote } from "./test-repos";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-branch-run-"));
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

/** A dashboard whose one chart shows `label` and `n` from its SQL, with a variable. */
function salesYaml(title: string, label: string, n: number, extra = ""): string {
  return `title: ${JSON.stringify(title)}
variables:
  - name: factor
    type: number
    default: 1
queries:
  totals:
    sql: select '${label}' as label, ${n} * {{ factor }} as n
${extra}charts:
  - id: total
    title: ${JSON.stringify(`${title}: total`)}
    type: kpi
    query: totals
    value: n
`;
}

test("a work branch's file is drawn with its own SQL: the run answers the branch's rows, not the live dashboard's nor the trunk's", async () => {
  const w = await workspace(k.kernel);
  const r = createRemote("main");
  remotes.push(r);
  r.commit({ "dashboards/sales.yaml": salesYaml("Sales", "trunk", 1) });
  await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });

  // An editor saves a version with other SQL and commits it to their branch, then saves again (live, not committed).
  const editor = await colleague(k.kernel, w.org.id, "editor");
  await k.kernel.ownerDb.updateTable("users").set({ name: "Rita Runner" }).where("id", "=", editor.user.id).execute();
  const broken = "  broken:\n    sql: select * from no_such_table\n";
  await editor.caller.dashboards.update({ ...w.at, slug: "sales", version: 1, yaml: salesYaml("Sales on the branch", "branch", 42, broken).replace("charts:\n", "charts:\n  - id: oops\n    type: table\n    query: broken\n") });
  const commit = await editor.caller.gitSync.commit({ ...w.at, message: "Sales from the branch" });
  await editor.caller.dashboards.update({ ...w.at, slug: "sales", version: 2, yaml: salesYaml("Sales, live", "live", 7) });

  // Viewers may: both capabilities are granted to them.
  expect(gitView.grant).toContain("viewer");
  expect(dashboardView.grant).toContain("viewer");
  const viewer = await colleague(k.kernel, w.org.id, "viewer");

  const live = await viewer.caller.dashboards.run({ ...w.at, slug: "sales" });
  expect(live.results.totals).toMatchObject({ ok: true, rows: [{ label: "live", n: 7 }] });

  const atBranch = await viewer.caller.gitSync.runAtBranch({ ...w.at, slug: "sales", branch: commit.branch });
  expect(atBranch).toMatchObject({ branch: "atrium/rita-runner", trunk: false, commitSha: commit.commitSha, path: "dashboards/sales.yaml", format: "atrium", problems: [] });
  expect(atBranch.document).toMatchObject({ title: "Sales on the branch", charts: [{ id: "oops" }, { id: "total", title: "Sales on the branch: total" }] });
  expect(atBranch.run?.results.totals).toMatchObject({ ok: true, rows: [{ label: "branch", n: 42 }] });
  // A failing query of the branch is a result in place, not an error of the call.
  expect(atBranch.run?.results.broken).toMatchObject({ ok: false, error: { code: "query_failed" } });

  // Variables are the branch document's, checked against it.
  const doubled = await viewer.caller.gitSync.runAtBranch({ ...w.at, slug: "sales", branch: commit.branch, variables: { factor: 2 } });
  expect(doubled.run?.results.totals).toMatchObject({ ok: true, rows: [{ n: 84 }] });
  const unknownVariable = await rejectionOf(viewer.caller.gitSync.runAtBranch({ ...w.at, slug: "sales", branch: commit.branch, variables: { region: "emea" } }));
  expect(unknownVariable.code).toBe("UNPROCESSABLE_CONTENT");
  expect(unknownVariable.fields["variables.region"]).toBeDefined();

  // The trunk by default: what viewers see once synced.
  const onTrunk = await viewer.caller.gitSync.runAtBranch({ ...w.at, slug: "sales" });
  expect(onTrunk).toMatchObject({ branch: "main", trunk: true });
  expect(onTrunk.run?.results.totals).toMatchObject({ ok: true, rows: [{ label: "trunk", n: 1 }] });

  // Unknown branch: 404 naming it.
  const missing = await rejectionOf(viewer.caller.gitSync.runAtBranch({ ...w.at, slug: "sales", branch: "atrium/nobody" }));
  expect(missing.code).toBe("NOT_FOUND");
  expect(missing.message).toContain('"atrium/nobody"');

  // Another org's member: 404, as if the project did not exist.
  const stranger = await workspace(k.kernel);
  expect((await rejectionOf(stranger.caller.gitSync.runAtBranch({ ...w.at, slug: "sales", branch: commit.branch }))).code).toBe("NOT_FOUND");
});

test("a file that does not validate on the branch is answered with its line and message, nothing run", async () => {
  const w = await workspace(k.kernel);
  const r = createRemote("main");
  remotes.push(r);
  r.commit({ "dashboards/sales.yaml": salesYaml("Sales", "trunk", 1) });
  await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
  // The trunk moves on in git with a broken file (not synced: the view fetches it).
  r.commit({ "dashboards/sales.yaml": "title: Sales\ncharts:\n  - id: total\n    type: kpi\n    query: nowhere\n    value: n\n" });

  const answer = await w.caller.gitSync.runAtBranch({ ...w.at, slug: "sales" });
  expect(answer).toMatchObject({ branch: "main", document: null, run: null });
  expect(answer.problems.length).toBeGreaterThan(0);
  expect(answer.problems[0]).toMatchObject({ line: expect.any(Number), message: expect.stringContaining("nowhere") });
  // The live dashboard is untouched.
  expect((await w.caller.dashboards.run({ ...w.at, slug: "sales" })).results.totals).toMatchObject({ ok: true, rows: [{ label: "trunk", n: 1 }] });
});
