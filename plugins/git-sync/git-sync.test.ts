/**
 * Git sync against real repositories: a bare repository over file:// and over smart HTTP with
 * basic auth. Connect (and its clear refusals), the layout (subdirectory, unknown files ignored,
 * bad files reported with path and line while the rest applies), the first import as dashboard
 * versions noted with the commit, an incremental sync, and the token kept out of the clone's
 * config, the audit log and error messages.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { bootTestKernel } from "../../tests/setup/database";
import { asUser } from "../../tests/setup/fixtures";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { backgroundSync } from "./service";
import { createRemote, serveSmartHttp } from "./test-repos";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-sync-"));
const remotes: Array<{ remove: () => void }> = [];

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  for (const r of remotes) r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});
beforeEach(() => {
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
});

function remote(branch = "main") {
  const r = createRemote(branch);
  remotes.push(r);
  return r;
}

describe("connecting", () => {
  test("refuses with a clear error what is not a repository, a missing branch, a local path unless allowed, other transports and tokens in the address", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "README.md": "hello" });

    const notRepo = await rejectionOf(w.caller.gitSync.testConnection({ ...w.at, remoteUrl: `file://${r.root}/nothing-here` }));
    expect(notRepo).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { remoteUrl: ["There is no git repository at that address."] } });

    const noBranch = await rejectionOf(w.caller.gitSync.testConnection({ ...w.at, remoteUrl: r.url, trunk: "production" }));
    expect(noBranch.fields.trunk?.[0]).toMatch(/no branch "production"/);

    for (const remoteUrl of ["ext::sh -c touch% /tmp/pwned", "fd::17", "ssh://git@example.com/x.git", "https://user:secret@example.com/x.git"]) {
      const refused = await rejectionOf(w.caller.gitSync.testConnection({ ...w.at, remoteUrl }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields.remoteUrl).toHaveLength(1);
      expect(JSON.stringify(refused)).not.toContain("secret");
    }

    delete process.env.GIT_ALLOW_LOCAL_REMOTES;
    for (const remoteUrl of [r.url, r.bare]) {
      const local = await rejectionOf(w.caller.gitSync.connect({ ...w.at, remoteUrl }));
      expect(local.fields.remoteUrl?.[0]).toMatch(/not allowed on this server/);
    }
    expect(await w.caller.gitSync.status(w.at)).toEqual({ connected: false });
  });

  test("first import: dashboards under the subdirectory become versions noted with the commit; bad files are reported with path and line and skipped", async () => {
    const w = await workspace(k.kernel);
    const r = remote("trunk");
    const sha = r.commit(
      {
        "analytics/dashboards/sales.yaml": simpleYaml("Sales"),
        "analytics/dashboards/costs.yml": simpleYaml("Costs"),
        "analytics/dashboards/broken.yaml": "title: Broken\ncharts:\n  - id: a\n    type: pie-ish\n    query: nope\n",
        "analytics/dashboards/Bad Name.yaml": simpleYaml("Bad name"),
        "analytics/atrium.yaml": "version: 1\ndescription: Sales analytics\n",
        "analytics/notes.md": "ignored",
        "dashboards/outside.yaml": simpleYaml("Outside the subdirectory"),
      },
      "First dashboards",
    );
    const result = await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url, trunk: "trunk", subdirectory: "/analytics/" });
    expect(result.commitSha).toBe(sha);
    expect(result.imported.sort()).toEqual(["costs", "sales"]);
    expect(result.problems.map((p) => p.path).sort()).toEqual(["analytics/dashboards/Bad Name.yaml", "analytics/dashboards/broken.yaml"]);
    const broken = result.problems.find((p) => p.path.endsWith("broken.yaml"))!;
    expect(broken.line).toBe(4);
    expect(broken.message).toMatch(/pie-ish/);

    const list = await w.caller.dashboards.list(w.at);
    expect(list.items.map((d) => d.slug).sort()).toEqual(["costs", "sales"]);
    const { versions } = await w.caller.dashboards.history({ ...w.at, slug: "sales" });
    expect(versions.map((v) => v.message)).toEqual([`git ${sha.slice(0, 12)}: First dashboards`]);

    const status = await w.caller.gitSync.status(w.at);
    expect(status).toMatchObject({ connected: true, remoteUrl: r.url, trunk: "trunk", subdirectory: "analytics", trunkSha: sha, hasToken: false, settings: { description: "Sales analytics" } });
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "sales" })).toEqual({ origin: { path: "analytics/dashboards/sales.yaml", branch: "trunk", commitSha: sha, version: 1, current: true }, workBranch: null });

    // Connecting twice is a conflict, not a second connection.
    expect((await rejectionOf(w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url, trunk: "trunk" }))).code).toBe("CONFLICT");
  });

  test("a sync imports only what changed, removes deleted files' dashboards, and an editor may sync but not connect", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B"), "dashboards/c.yaml": simpleYaml("C") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    const second = r.commit({ "dashboards/a.yaml": simpleYaml("A, revised"), "dashboards/c.yaml": null, "atrium.yaml": "version: 1\nunknownSetting: 3\n" }, "Revise A, drop C");

    const editor = await colleague(k.kernel, w.org.id, "editor");
    expect((await rejectionOf(editor.caller.gitSync.connect({ ...w.at, remoteUrl: r.url }))).code).toBe("FORBIDDEN");
    const result = await editor.caller.gitSync.sync(w.at);
    expect(result).toMatchObject({ commitSha: second, imported: ["a"], removed: ["c"], unchanged: 1 });
    expect(result.problems).toEqual([{ path: "atrium.yaml", line: 2, message: expect.stringMatching(/unknownSetting/) }]);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "a" })).title).toBe("A, revised");
    expect((await w.caller.dashboards.list(w.at)).items.map((d) => d.slug).sort()).toEqual(["a", "b"]);

    // Nothing new upstream: nothing imported.
    expect(await editor.caller.gitSync.sync(w.at)).toMatchObject({ imported: [], removed: [], unchanged: 2 });
  });
});

describe("stale writes", () => {
  test("a save based on a version older than git's import is a 409 naming the commit, its file and version; a save in the app between is the usual 409", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    const opened = await w.caller.dashboards.get({ ...w.at, slug: "a" });
    const pushed = r.commit({ "dashboards/a.yaml": simpleYaml("A from git") }, "Revise A in git");
    await w.caller.gitSync.sync(w.at);

    const refused = await rejectionOf(w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, my edit"), version: opened.version }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain(`main @ ${pushed.slice(0, 12)} (dashboards/a.yaml) was imported as version 2`);
    expect(refused.fields).toMatchObject({ gitCommit: [pushed], gitPath: ["dashboards/a.yaml"], gitVersion: ["2"], version: ["The current version is 2"] });
    // Nothing was written: git's version is still the current one.
    expect(await w.caller.dashboards.get({ ...w.at, slug: "a" })).toMatchObject({ version: 2, title: "A from git" });
    // Based on git's version, the edit saves.
    expect(await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, merged"), version: 2 })).toMatchObject({ version: 3 });

    // A colleague's save in the app, not git's import, stands between: the usual answer, no commit named.
    const b = await w.caller.dashboards.get({ ...w.at, slug: "b" });
    await w.caller.dashboards.update({ ...w.at, slug: "b", yaml: simpleYaml("B, theirs"), version: b.version });
    const inApp = await rejectionOf(w.caller.dashboards.update({ ...w.at, slug: "b", yaml: simpleYaml("B, mine"), version: b.version }));
    expect(inApp.code).toBe("CONFLICT");
    expect(inApp.fields.gitCommit).toBeUndefined();
    expect(inApp.message).toMatch(/was changed \(version 2, saved by/);
  });
});

describe("background syncs and the lock", () => {
  test("a sync in the background imports as the system and records why it failed; a running sync makes another wait with 409", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    const pushed = r.commit({ "dashboards/a.yaml": simpleYaml("A from outside") }, "Outside change");

    expect(await backgroundSync(k.kernel, w.at)).toMatchObject({ commitSha: pushed, imported: ["a"] });
    const { versions } = await w.caller.dashboards.history({ ...w.at, slug: "a" });
    expect(versions[0]).toMatchObject({ author: null, message: `git ${pushed.slice(0, 12)}: Outside change` });

    // Another instance holds this project's trunk: the second sync is refused, nothing written.
    const key = `git-sync:${w.project.id}:main`;
    await k.kernel.ownerDb.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
      const busy = await rejectionOf(w.caller.gitSync.sync(w.at));
      expect(busy).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/already running/) });
    });

    rmSync(r.bare, { recursive: true, force: true });
    expect(await backgroundSync(k.kernel, w.at)).toBeNull();
    expect(await w.caller.gitSync.status(w.at)).toMatchObject({ lastError: "There is no git repository at that address.", trunkSha: pushed });
  });
});

describe("credentials over smart HTTP", () => {
  test("a wrong token is refused clearly; the right one connects and never lands in the clone's config, the audit log or an error", async () => {
    const token = "ghp_s3cret-token-value-123456";
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/kpis.yaml": simpleYaml("KPIs") });
    const server = await serveSmartHttp(r.root, token);
    try {
      const remoteUrl = `${server.url}/remote.git`;
      const noToken = await rejectionOf(w.caller.gitSync.testConnection({ ...w.at, remoteUrl }));
      expect(noToken.fields.remoteUrl?.[0]).toMatch(/add a token/);
      const wrong = await rejectionOf(w.caller.gitSync.testConnection({ ...w.at, remoteUrl, token: "wrong-token-abc" }));
      expect(wrong.fields.token?.[0]).toMatch(/refused the credentials/);
      expect(JSON.stringify(wrong)).not.toContain("wrong-token-abc");

      const result = await w.caller.gitSync.connect({ ...w.at, remoteUrl, token });
      expect(result.imported).toEqual(["kpis"]);
      expect(server.requests.some((line) => line.includes(Buffer.from(`x-access-token:${token}`).toString("base64")))).toBe(true);

      const status = await w.caller.gitSync.status(w.at);
      expect(status).toMatchObject({ connected: true, hasToken: true });
      expect(JSON.stringify(status)).not.toContain(token);
      const stored = await k.kernel.ownerDb.withTables<{ git_sync_repositories: { project_id: string; credential: string | null } }>().selectFrom("git_sync_repositories").select("credential").where("project_id", "=", w.project.id).executeTakeFirstOrThrow();
      expect(stored.credential).toMatch(/^v1\./);
      expect(stored.credential).not.toContain(token);

      const clone = path.join(syncDir, `${w.project.id}.git`);
      const files = readdirSync(clone, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && !f.parentPath.includes("objects"));
      for (const f of files) expect(readFileSync(path.join(f.parentPath, f.name), "utf8")).not.toContain(token);
      expect(readFileSync(path.join(clone, "config"), "utf8")).not.toContain("127.0.0.1");

      const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).execute();
      expect(audit.map((a) => a.action)).toContain("git-sync.connect");
      expect(JSON.stringify(audit)).not.toContain(token);
      expect(JSON.stringify(audit)).not.toContain("wrong-token-abc");

      // A sync with the stored (encrypted) token works without the person giving it again.
      r.commit({ "dashboards/kpis.yaml": simpleYaml("KPIs v2") });
      expect((await asUser(k.kernel, w.user.id).gitSync.sync(w.at)).imported).toEqual(["kpis"]);
    } finally {
      await server.close();
    }
  });
});

describe("edits made in Atrium", () => {
  test("a sync never overwrites a dashboard edited in the app since its last import: it is reported as a conflict and the rest applies", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B"), "dashboards/c.yaml": simpleYaml("C") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });

    const edited = await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, edited in Atrium"), version: 1, message: "Edit in the app" });
    await w.caller.dashboards.update({ ...w.at, slug: "c", yaml: simpleYaml("C, edited in Atrium"), version: 1 });
    const pushed = r.commit({ "dashboards/a.yaml": simpleYaml("A, changed in git"), "dashboards/b.yaml": simpleYaml("B, changed in git"), "dashboards/c.yaml": null }, "Change A and B, drop C");

    const result = await w.caller.gitSync.sync(w.at);
    const conflicts = [
      { path: "dashboards/a.yaml", slug: "a", message: "changed in Atrium and in git since the last sync", commitSha: pushed },
      { path: "dashboards/c.yaml", slug: "c", message: "changed in Atrium and removed in git since the last sync", commitSha: pushed },
    ];
    expect(result).toMatchObject({ commitSha: pushed, imported: ["b"], removed: [], conflicts });
    const a = await w.caller.dashboards.get({ ...w.at, slug: "a" });
    expect(a).toMatchObject({ title: "A, edited in Atrium", version: edited.version });
    expect((await w.caller.dashboards.history({ ...w.at, slug: "a" })).versions[0]).toMatchObject({ version: edited.version, message: "Edit in the app" });
    expect((await w.caller.dashboards.get({ ...w.at, slug: "b" })).title).toBe("B, changed in git");
    expect((await w.caller.dashboards.get({ ...w.at, slug: "c" })).title).toBe("C, edited in Atrium");
    expect(await w.caller.gitSync.status(w.at)).toMatchObject({ trunkSha: pushed, conflicts });

    // Still in conflict on the next sync; once git holds the app's text, the file is in sync again.
    expect((await w.caller.gitSync.sync(w.at)).conflicts).toEqual(conflicts);
    const agreed = r.commit({ "dashboards/a.yaml": simpleYaml("A, edited in Atrium") }, "Take the app's A");
    expect(await w.caller.gitSync.sync(w.at)).toMatchObject({ commitSha: agreed, imported: [], conflicts: [{ ...conflicts[1], commitSha: agreed }] });
    expect((await w.caller.dashboards.get({ ...w.at, slug: "a" })).version).toBe(edited.version);
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "a" })).toMatchObject({ origin: { path: "dashboards/a.yaml", branch: "main", commitSha: agreed, current: true } });
  });
});

describe("dbt Charts projects", () => {
  const board = (title: string) => `title: ${title}\nqueries:\n  totals: SELECT 1 AS n\ncharts:\n  total:\n    type: kpi\n    query: totals\n    value: n\n    label: Total\nrows:\n  - total\n`;
  test("a repository with dbt_charts.yml has its charts/**/*.yml boards synced as dbt Charts boards, stored as written", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    const revenue = readFileSync(path.join(import.meta.dirname, "../dashboards/document/dbt-charts/corpus/revenue.yml"), "utf8");
    const sha = r.commit(
      {
        "dbt_charts.yml": "sources:\n  warehouse:\n    type: postgres\n",
        "charts/revenue.yml": revenue,
        "charts/ops/weekly_tickets.yml": board("Weekly tickets"),
        "charts/_partials/header.yml": "title: not a board\n",
        "charts/broken.yml": "title: Broken\ncharts:\n  k:\n    type: kpi\n    valeu: n\nrows: [k]\n",
        "dashboards/classic.yaml": simpleYaml("Classic"),
      },
      "Boards",
    );
    const result = await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    expect(result.commitSha).toBe(sha);
    expect(result.imported.sort()).toEqual(["classic", "ops-weekly-tickets", "revenue"]);
    expect(result.problems).toEqual([{ path: "charts/broken.yml", line: 5, message: expect.stringMatching(/valeu/) }]);

    const got = await w.caller.dashboards.get({ ...w.at, slug: "revenue" });
    expect(got.format).toBe("dbt-charts");
    expect(got.yaml).toBe(revenue);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "classic" })).format).toBe("atrium");

    // A change to a board upstream is the board's next version; a removed board goes.
    const second = r.commit({ "charts/ops/weekly_tickets.yml": board("Weekly tickets, revised"), "charts/revenue.yml": null }, "Revise tickets");
    expect(await w.caller.gitSync.sync(w.at)).toMatchObject({ commitSha: second, imported: ["ops-weekly-tickets"], removed: ["revenue"] });
    const tickets = await w.caller.dashboards.get({ ...w.at, slug: "ops-weekly-tickets" });
    expect(tickets).toMatchObject({ format: "dbt-charts", title: "Weekly tickets, revised", version: 2 });
  });

  test("without dbt_charts.yml, charts/ is not read; a board file cannot replace an Atrium dashboard of the same slug", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "charts/weekly.yml": board("Weekly"), "dashboards/weekly.yaml": simpleYaml("Weekly (Atrium)") });
    expect((await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url })).imported).toEqual(["weekly"]);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "weekly" })).format).toBe("atrium");
    r.commit({ "dbt_charts.yml": "sources: {}\n", "dashboards/weekly.yaml": null }, "Become a dbt Charts project");
    const result = await w.caller.gitSync.sync(w.at);
    expect(result.problems).toEqual([{ path: "charts/weekly.yml", line: null, message: expect.stringMatching(/an Atrium dashboard; this file is a dbt Charts board/) }]);
  });
});
