/**
 * Dashboards as stored documents, on real PostgreSQL: create/get/list, versions and the 409 on a
 * stale save, history and restoring a version, soft delete/restore/duplicate, slug rules, invalid
 * YAML writing nothing, org-wide search and recent respecting project visibility, events, and
 * other orgs staying out of reach even below the procedures.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EventEnvelope } from "~/kernel/events";
import { toolsOf } from "~/kernel/tools";
import { testRouter } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { findDashboard, listDashboards, updateDashboard } from "./service";
import { colleague, createProject, rejectionOf, simpleYaml, workspace } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

async function countRows(projectId: string) {
  const d = await k.kernel.ownerDb.withTables<{ dashboards_dashboards: { project_id: string } }>().selectFrom("dashboards_dashboards").select((eb) => eb.fn.countAll<number>().as("n")).where("project_id", "=", projectId).executeTakeFirstOrThrow();
  const v = await k.kernel.ownerDb
    .withTables<{ dashboards_versions: { dashboard_id: string }; dashboards_dashboards: { id: string; project_id: string } }>()
    .selectFrom("dashboards_versions")
    .innerJoin("dashboards_dashboards", "dashboards_dashboards.id", "dashboards_versions.dashboard_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("dashboards_dashboards.project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return { dashboards: Number(d.n), versions: Number(v.n) };
}

describe("create, get, list", () => {
  test("a created dashboard is listed and read back with its YAML, version 1 and the metadata from the document", async () => {
    const { caller, at, user } = await workspace(k.kernel);
    const yaml = simpleYaml("Revenue overview");
    const created = await caller.dashboards.create({ ...at, yaml });
    expect(created).toEqual({ slug: "revenue-overview", version: 1 });
    const got = await caller.dashboards.get({ ...at, slug: "revenue-overview" });
    expect(got).toMatchObject({ slug: "revenue-overview", title: "Revenue overview", yaml, version: 1, tags: ["finance", "weekly"], deletedAt: null });
    const list = await caller.dashboards.list(at);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ slug: "revenue-overview", title: "Revenue overview", description: "A dashboard for tests", version: 1, updatedBy: { email: user.email } });
    expect((await caller.dashboards.tags(at)).tags).toEqual(["finance", "weekly"]);
  });

  test("list filters by search and tag", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Revenue overview") });
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Signups").replace("[finance, weekly]", "[growth]") });
    expect((await caller.dashboards.list({ ...at, search: "reven" })).items.map((i) => i.slug)).toEqual(["revenue-overview"]);
    expect((await caller.dashboards.list({ ...at, tag: "growth" })).items.map((i) => i.slug)).toEqual(["signups"]);
    expect((await caller.dashboards.list({ ...at, search: "%" })).items).toEqual([]);
    // Several words: each must be somewhere (title, slug, description, tags), in any order.
    expect((await caller.dashboards.list({ ...at, search: "overview finance" })).items.map((i) => i.slug)).toEqual(["revenue-overview"]);
    expect((await caller.dashboards.list({ ...at, search: "  growth   signups " })).items.map((i) => i.slug)).toEqual(["signups"]);
    expect((await caller.dashboards.list({ ...at, search: "revenue growth" })).items).toEqual([]);
    const org = await caller.dashboards.search({ orgId: at.orgId, query: "finance revenue" });
    expect(org.items.map((i) => i.slug)).toEqual(["revenue-overview"]);
  });

  test("list pages: every dashboard exactly once across pages, same order as one long page, even with equal times; a forged cursor is a field error", async () => {
    const { caller, at, project } = await workspace(k.kernel);
    for (let i = 0; i < 7; i++) await caller.dashboards.create({ ...at, yaml: simpleYaml(`Page test ${i}`) });
    // Three of them share one updated_at to the microsecond: the slug breaks the tie.
    await k.kernel.ownerDb
      .withTables<{ dashboards_dashboards: { project_id: string; slug: string; updated_at: Date } }>()
      .updateTable("dashboards_dashboards")
      .set({ updated_at: new Date("2026-11-30T10:00:00.123Z") })
      .where("project_id", "=", project.id)
      .where("slug", "in", ["page-test-1", "page-test-2", "page-test-3"])
      .execute();
    const whole = (await caller.dashboards.list({ ...at, limit: 200 })).items.map((i) => i.slug);
    expect(whole).toHaveLength(7);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await caller.dashboards.list({ ...at, limit: 2, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((i) => i.slug));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(whole);
    expect(whole.slice(-3)).toEqual(["page-test-1", "page-test-2", "page-test-3"]);
    expect((await caller.dashboards.list({ ...at, limit: 7 })).nextCursor).toBeNull();
    const forged = await rejectionOf(caller.dashboards.list({ ...at, cursor: "not-a-cursor" }));
    expect(forged.code).toBe("UNPROCESSABLE_CONTENT");
    expect(Object.keys(forged.fields)).toEqual(["cursor"]);
  });

  test("slugs: derived from the title and made unique; a chosen one is validated and must be free", async () => {
    const { caller, at } = await workspace(k.kernel);
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("Ventes — Été 2026!") })).slug).toBe("ventes-ete-2026");
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("Ventes — Été 2026!") })).slug).toBe("ventes-ete-2026-2");
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("Ventes — Été 2026!") })).slug).toBe("ventes-ete-2026-3");
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("!!!") })).slug).toBe("dashboard");
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("New") })).slug).toBe("dashboard-new");
    const bad = await rejectionOf(caller.dashboards.create({ ...at, yaml: simpleYaml("X"), slug: "-bad slug-" }));
    expect(bad).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect(bad.fields.slug).toBeDefined();
    const taken = await rejectionOf(caller.dashboards.create({ ...at, yaml: simpleYaml("X"), slug: "ventes-ete-2026" }));
    expect(taken).toMatchObject({ code: "CONFLICT" });
    expect(taken.fields.slug?.[0]).toMatch(/already exists/);
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("X"), slug: "My-Board" })).slug).toBe("my-board");
  });

  test("invalid YAML: 422 with every error under yaml and yaml.<path>, and nothing written", async () => {
    const { caller, at, project } = await workspace(k.kernel);
    const yaml = `title: Broken
charts:
  - id: weekly
    type: pi
    query: nowhere
`;
    const err = await rejectionOf(caller.dashboards.create({ ...at, yaml }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.fields.yaml?.length).toBeGreaterThan(0);
    expect(err.fields.yaml?.join("\n")).toMatch(/line 4/);
    expect(Object.keys(err.fields).some((f) => f.startsWith("yaml.charts.0"))).toBe(true);
    expect(err.message).toMatch(/charts\.0\.type/);
    const syntax = await rejectionOf(caller.dashboards.create({ ...at, yaml: "title: [unclosed\n" }));
    expect(syntax.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await countRows(project.id)).toEqual({ dashboards: 0, versions: 0 });

    // The same for an update: the stored version stays.
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Good") });
    const upd = await rejectionOf(caller.dashboards.update({ ...at, slug: "good", yaml, version: 1 }));
    expect(upd.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await countRows(project.id)).toEqual({ dashboards: 1, versions: 1 });
    expect((await caller.dashboards.get({ ...at, slug: "good" })).version).toBe(1);
  });

  test("validate answers ok or the structured errors, writing nothing", async () => {
    const { caller, at } = await workspace(k.kernel);
    expect(await caller.dashboards.validate({ ...at, yaml: simpleYaml("Fine") })).toEqual({ ok: true, errors: [] });
    const bad = await caller.dashboards.validate({ ...at, yaml: "title: T\ncolour: red\n" });
    expect(bad.ok).toBe(false);
    expect(bad.errors[0]).toMatchObject({ code: "unknown_key", line: 2 });
    expect(bad.errors[0]!.hint).toBeTruthy();
  });

  test("an unknown slug is 404", async () => {
    const { caller, at } = await workspace(k.kernel);
    expect((await rejectionOf(caller.dashboards.get({ ...at, slug: "nope" }))).code).toBe("NOT_FOUND");
  });
});

describe("versions", () => {
  test("each save is a new version; a stale version is a 409 naming the current version and who saved it, and writes nothing", async () => {
    const { caller, at, project, org } = await workspace(k.kernel);
    const bob = await colleague(k.kernel, org.id, "editor");
    await k.kernel.ownerDb.updateTable("users").set({ name: "Bob Editor" }).where("id", "=", bob.user.id).execute();
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Board") });
    // Both read version 1; Bob saves first.
    expect(await bob.caller.dashboards.update({ ...at, slug: "board", yaml: simpleYaml("Board", "# bob"), version: 1, message: "Bob's change" })).toEqual({ slug: "board", version: 2 });
    const stale = await rejectionOf(caller.dashboards.update({ ...at, slug: "board", yaml: simpleYaml("Board", "# mine"), version: 1 }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/was changed \(version 2, saved by Bob Editor/);
    expect(await countRows(project.id)).toEqual({ dashboards: 1, versions: 2 });
    expect((await caller.dashboards.get({ ...at, slug: "board" })).yaml).toContain("# bob");
    // Reapplied on version 2, it goes through.
    expect(await caller.dashboards.update({ ...at, slug: "board", yaml: simpleYaml("Board renamed"), version: 2 })).toEqual({ slug: "board", version: 3 });
    const got = await caller.dashboards.get({ ...at, slug: "board" });
    expect(got).toMatchObject({ title: "Board renamed", version: 3, slug: "board" });
  });

  test("concurrent saves of the same version: exactly one wins", async () => {
    const { at, org } = await workspace(k.kernel);
    const a = await colleague(k.kernel, org.id, "editor");
    const b = await colleague(k.kernel, org.id, "editor");
    await a.caller.dashboards.create({ ...at, yaml: simpleYaml("Race") });
    const results = await Promise.allSettled([
      a.caller.dashboards.update({ ...at, slug: "race", yaml: simpleYaml("Race", "# a"), version: 1 }),
      b.caller.dashboards.update({ ...at, slug: "race", yaml: simpleYaml("Race", "# b"), version: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((failed.reason as { code: string }).code).toBe("CONFLICT");
  });

  test("history lists versions with author and message; version returns old YAML; restoreVersion saves it as a new version", async () => {
    const { caller, at, user } = await workspace(k.kernel);
    const v1 = simpleYaml("Hist");
    await caller.dashboards.create({ ...at, yaml: v1 });
    await caller.dashboards.update({ ...at, slug: "hist", yaml: simpleYaml("Hist", "# two"), version: 1, message: "second" });
    const history = await caller.dashboards.history({ ...at, slug: "hist" });
    expect(history.versions.map((v) => [v.version, v.message])).toEqual([
      [2, "second"],
      [1, "Created"],
    ]);
    expect(history.versions[0]!.author).toMatchObject({ id: user.id, email: user.email });
    expect((await caller.dashboards.version({ ...at, slug: "hist", version: 1 })).yaml).toBe(v1);
    expect((await rejectionOf(caller.dashboards.version({ ...at, slug: "hist", version: 9 }))).code).toBe("NOT_FOUND");
    // Restoring needs the current version too.
    expect((await rejectionOf(caller.dashboards.restoreVersion({ ...at, slug: "hist", version: 1, currentVersion: 1 }))).code).toBe("CONFLICT");
    expect(await caller.dashboards.restoreVersion({ ...at, slug: "hist", version: 1, currentVersion: 2 })).toEqual({ slug: "hist", version: 3 });
    expect((await caller.dashboards.get({ ...at, slug: "hist" })).yaml).toBe(v1);
    const after = await caller.dashboards.history({ ...at, slug: "hist" });
    expect(after.versions.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(after.versions[0]!.message).toBe("Restored version 1");
  });

  test("history is paged, newest first: every version once across pages, the last page's cursor null; a cursor it did not give is a 422 on cursor", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Paged") });
    for (let version = 1; version < 7; version++) {
      await caller.dashboards.update({ ...at, slug: "paged", yaml: simpleYaml("Paged", `# save ${version + 1}`), version, message: `save ${version + 1}` });
    }
    const seen: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.dashboards.history({ ...at, slug: "paged", limit: 3, cursor });
      seen.push(page.versions.map((v) => v.version));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && seen.length < 10);
    expect(seen).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
    // A page that ends exactly at the first version says so: no empty page after it.
    const two = await caller.dashboards.history({ ...at, slug: "paged", limit: 3, cursor: "4" });
    expect([two.versions.map((v) => v.version), two.nextCursor]).toEqual([[3, 2, 1], null]);
    expect((await caller.dashboards.history({ ...at, slug: "paged" })).versions).toHaveLength(7);
    for (const bad of ["0", "-1", "abc", "1e3", "2147483648", "99999999999", "3\u0000"]) {
      const refusal = await rejectionOf(caller.dashboards.history({ ...at, slug: "paged", cursor: bad }));
      expect([bad, refusal.code, Object.keys(refusal.fields)]).toEqual([bad, "UNPROCESSABLE_CONTENT", ["cursor"]]);
    }
    for (const limit of [0, 201, 1.5]) {
      const refusal = await rejectionOf(caller.dashboards.history({ ...at, slug: "paged", limit }));
      expect([limit, refusal.code, Object.keys(refusal.fields)]).toEqual([limit, "UNPROCESSABLE_CONTENT", ["limit"]]);
    }
  });

  test("version rows are immutable in the database", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Frozen") });
    await expect(
      k.kernel.ownerDb.withTables<{ dashboards_versions: { yaml: string; org_id: string } }>().updateTable("dashboards_versions").set({ yaml: "x" }).where("org_id", "=", at.orgId).execute(),
    ).rejects.toThrow(/immutable/);
  });
});

describe("delete, restore, duplicate", () => {
  test("delete is soft: gone from the list, shown in the deleted list, restorable with its history", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Old") });
    const deleted = await caller.dashboards.delete({ ...at, slug: "old" });
    expect(deleted.slug).toBe("old");
    expect(Date.parse(deleted.deletedAt)).not.toBeNaN();
    expect((await caller.dashboards.list(at)).items).toEqual([]);
    expect((await caller.dashboards.list({ ...at, deleted: true })).items.map((i) => i.slug)).toEqual(["old"]);
    expect((await caller.dashboards.get({ ...at, slug: "old" })).deletedAt).not.toBeNull();
    expect((await rejectionOf(caller.dashboards.update({ ...at, slug: "old", yaml: simpleYaml("Old"), version: 1 }))).code).toBe("NOT_FOUND");
    expect((await rejectionOf(caller.dashboards.delete({ ...at, slug: "old" }))).code).toBe("NOT_FOUND");
    expect(await caller.dashboards.restore({ ...at, slug: "old" })).toEqual({ slug: "old" });
    expect((await caller.dashboards.list(at)).items.map((i) => i.slug)).toEqual(["old"]);
    expect((await caller.dashboards.history({ ...at, slug: "old" })).versions).toHaveLength(1);
  });

  test("a deleted slug is free for a new dashboard; restoring the old one then conflicts", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Reused") });
    await caller.dashboards.delete({ ...at, slug: "reused" });
    expect((await caller.dashboards.create({ ...at, yaml: simpleYaml("Reused") })).slug).toBe("reused");
    expect((await rejectionOf(caller.dashboards.restore({ ...at, slug: "reused" }))).code).toBe("CONFLICT");
  });

  test("duplicate copies the document under a new title and slug, as version 1", async () => {
    const { caller, at } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Original", "# keep this comment") });
    expect(await caller.dashboards.duplicate({ ...at, slug: "original" })).toEqual({ slug: "original-copy", version: 1 });
    const copy = await caller.dashboards.get({ ...at, slug: "original-copy" });
    expect(copy.title).toBe("Original (copy)");
    expect(copy.yaml).toContain("# keep this comment");
    expect(await caller.dashboards.duplicate({ ...at, slug: "original", newSlug: "second", title: "Second" })).toEqual({ slug: "second", version: 1 });
    expect((await caller.dashboards.get({ ...at, slug: "second" })).title).toBe("Second");
  });

  test("a viewer reads but cannot create, update, delete or preview; an editor cannot act in a project where they are a viewer", async () => {
    const { caller, at, org } = await workspace(k.kernel);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Guarded") });
    const viewer = await colleague(k.kernel, org.id, "viewer");
    expect((await viewer.caller.dashboards.get({ ...at, slug: "guarded" })).slug).toBe("guarded");
    expect((await rejectionOf(viewer.caller.dashboards.create({ ...at, yaml: simpleYaml("No") }))).code).toBe("FORBIDDEN");
    expect((await rejectionOf(viewer.caller.dashboards.delete({ ...at, slug: "guarded" }))).code).toBe("FORBIDDEN");
    expect((await rejectionOf(viewer.caller.dashboards.preview({ ...at, sql: "select 1" }))).code).toBe("FORBIDDEN");
    const demoted = await colleague(k.kernel, org.id, "editor", [{ projectId: at.projectId, role: "viewer" }]);
    expect((await rejectionOf(demoted.caller.dashboards.update({ ...at, slug: "guarded", yaml: simpleYaml("No"), version: 1 }))).code).toBe("FORBIDDEN");
  });
});

describe("search and recent across projects", () => {
  test("only projects the caller may see: deleted projects and project overrides that deny dashboard.view are left out", async () => {
    const { caller, at, org, project } = await workspace(k.kernel);
    const second = await createProject(k.kernel, org.id);
    const gone = await createProject(k.kernel, org.id);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Revenue alpha") });
    await caller.dashboards.create({ orgId: org.id, projectId: second.id, yaml: simpleYaml("Revenue beta") });
    await caller.dashboards.create({ orgId: org.id, projectId: gone.id, yaml: simpleYaml("Revenue gone") });
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Costs") });
    await k.kernel.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", gone.id).execute();

    const found = await caller.dashboards.search({ orgId: org.id, query: "revenue" });
    expect(found.items.map((i) => [i.title, i.projectSlug]).sort()).toEqual([
      ["Revenue alpha", project.slug],
      ["Revenue beta", second.slug],
    ]);
    expect(found.items[0]).toMatchObject({ projectName: expect.any(String), projectId: expect.any(String) });
    expect((await caller.dashboards.search({ orgId: org.id, query: "revenue", projectId: second.id })).items.map((i) => i.title)).toEqual(["Revenue beta"]);

    // A project-level role without dashboard.view hides that project's dashboards.
    const grants = k.kernel.capabilities;
    const original = grants.allows.bind(grants);
    const restricted = await colleague(k.kernel, org.id, "editor", [{ projectId: second.id, role: "viewer" }]);
    grants.allows = (role, id) => (role === "viewer" && id === "dashboard.view" ? false : original(role, id));
    try {
      const theirs = await restricted.caller.dashboards.search({ orgId: org.id, query: "revenue" });
      expect(theirs.items.map((i) => i.title)).toEqual(["Revenue alpha"]);
      const recent = await restricted.caller.dashboards.recent({ orgId: org.id });
      expect(recent.items.map((i) => i.title).sort()).toEqual(["Costs", "Revenue alpha"]);
    } finally {
      grants.allows = original;
    }

    const recent = await caller.dashboards.recent({ orgId: org.id, limit: 2 });
    expect(recent.items.map((i) => i.title)).toEqual(["Costs", "Revenue beta"]);
  });

  test("archived projects' dashboards stay out of recent and an org-wide search; a search in that project finds them", async () => {
    const { caller, at, org } = await workspace(k.kernel);
    const shelved = await createProject(k.kernel, org.id);
    await caller.dashboards.create({ ...at, yaml: simpleYaml("Revenue live") });
    await caller.dashboards.create({ orgId: org.id, projectId: shelved.id, yaml: simpleYaml("Revenue shelved") });
    await caller.projects.setArchived({ orgId: org.id, projectId: shelved.id, archived: true });

    expect((await caller.dashboards.recent({ orgId: org.id, limit: 50 })).items.map((i) => i.title)).toEqual(["Revenue live"]);
    expect((await caller.dashboards.search({ orgId: org.id, query: "revenue" })).items.map((i) => i.title)).toEqual(["Revenue live"]);
    expect((await caller.dashboards.search({ orgId: org.id, query: "revenue", projectId: shelved.id })).items.map((i) => i.title)).toEqual(["Revenue shelved"]);

    await caller.projects.setArchived({ orgId: org.id, projectId: shelved.id, archived: false });
    expect((await caller.dashboards.recent({ orgId: org.id, limit: 50 })).items.map((i) => i.title).sort()).toEqual(["Revenue live", "Revenue shelved"]);
  });

  test("another org's dashboards never show, and its projects answer 404", async () => {
    const mine = await workspace(k.kernel);
    const theirs = await workspace(k.kernel);
    await theirs.caller.dashboards.create({ ...theirs.at, yaml: simpleYaml("Secret revenue") });
    expect((await mine.caller.dashboards.search({ orgId: mine.org.id, query: "secret" })).items).toEqual([]);
    expect((await rejectionOf(mine.caller.dashboards.get({ ...theirs.at, slug: "secret-revenue" }))).code).toBe("NOT_FOUND");
    // Their project with my org id: not found either.
    expect((await rejectionOf(mine.caller.dashboards.get({ orgId: mine.org.id, projectId: theirs.project.id, slug: "secret-revenue" }))).code).toBe("NOT_FOUND");
  });
});

test("agents see exactly the contract's tools, with their annotations", () => {
  const tools = toolsOf(testRouter).filter((t) => t.path.startsWith("dashboards."));
  expect(tools.map((t) => [t.name, t.path, t.readOnly, t.destructive])).toEqual([
    ["list_dashboards", "dashboards.list", true, false],
    ["search_dashboards", "dashboards.search", true, false],
    ["get_dashboard", "dashboards.get", true, false],
    ["validate_dashboard", "dashboards.validate", true, false],
    ["create_dashboard", "dashboards.create", false, false],
    ["update_dashboard", "dashboards.update", false, false],
    ["delete_dashboard", "dashboards.delete", false, true],
    ["restore_dashboard", "dashboards.restore", false, false],
    ["duplicate_dashboard", "dashboards.duplicate", false, false],
    ["dashboard_history", "dashboards.history", true, false],
    ["get_dashboard_version", "dashboards.version", true, false],
    // Not destructive: the version it replaces stays in the history, restorable in turn.
    ["restore_dashboard_version", "dashboards.restoreVersion", false, false],
    ["run_dashboard", "dashboards.run", true, false],
    ["render_chart", "dashboards.renderChart", true, false],
    ["list_board_sources", "dashboards.boardSources", true, false],
    ["map_board_source", "dashboards.mapBoardSource", false, false],
    // Destructive: the boards reading from the name can no longer run on its source.
    ["unmap_board_source", "dashboards.unmapBoardSource", false, true],
  ]);
  expect(tools.find((t) => t.name === "update_dashboard")!.description).toMatch(/version you read with get_dashboard.*conflict/s);
});

describe("isolation below the procedures", () => {
  test("under org A's scope the service sees nothing of org B, even given B's project id; RLS refuses writes into B", async () => {
    const a = await workspace(k.kernel);
    const b = await workspace(k.kernel);
    await b.caller.dashboards.create({ ...b.at, yaml: simpleYaml("B board") });
    await k.kernel.withScope({ userId: a.user.id, orgId: a.org.id }, async (trx) => {
      const s = { kernel: k.kernel, db: trx, projectId: b.project.id, userId: a.user.id };
      expect((await listDashboards({ ...s, orgId: b.org.id }, {})).items).toEqual([]);
      await expect(findDashboard({ ...s, orgId: b.org.id }, "b-board")).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(updateDashboard({ ...s, orgId: b.org.id }, { slug: "b-board", yaml: simpleYaml("Mine now"), version: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    });
    await expect(
      k.kernel.withScope({ userId: a.user.id, orgId: a.org.id }, (trx) =>
        trx
          .withTables<{ dashboards_dashboards: { org_id: string; project_id: string; slug: string; title: string; yaml: string; version: number } }>()
          .insertInto("dashboards_dashboards")
          .values({ org_id: b.org.id, project_id: b.project.id, slug: "planted", title: "Planted", yaml: "title: Planted", version: 1 })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    expect((await b.caller.dashboards.get({ ...b.at, slug: "b-board" })).title).toBe("B board");
  });
});

describe("events", () => {
  function collect() {
    const seen: EventEnvelope[] = [];
    const offs = (["dashboard.created", "dashboard.updated", "dashboard.deleted"] as const).map((name) => k.kernel.events.on(name, (e) => void seen.push(e as EventEnvelope)));
    return { seen, off: () => offs.forEach((off) => off()) };
  }
  const settle = () => new Promise((r) => setTimeout(r, 300));

  test("created, updated and deleted arrive after commit with ids; a refused save emits nothing", async () => {
    const { caller, at } = await workspace(k.kernel);
    const events = collect();
    try {
      await caller.dashboards.create({ ...at, yaml: simpleYaml("Evented") });
      await caller.dashboards.update({ ...at, slug: "evented", yaml: simpleYaml("Evented", "# 2"), version: 1 });
      await rejectionOf(caller.dashboards.update({ ...at, slug: "evented", yaml: simpleYaml("Evented", "# stale"), version: 1 }));
      await rejectionOf(caller.dashboards.create({ ...at, yaml: "title: [" }));
      await caller.dashboards.delete({ ...at, slug: "evented" });
      await settle();
      const mine = events.seen.filter((e) => e.orgId === at.orgId);
      expect(mine.map((e) => [e.name, (e.payload as { version?: number }).version])).toEqual([
        ["dashboard.created", 1],
        ["dashboard.updated", 2],
        ["dashboard.deleted", undefined],
      ]);
      expect(mine[0]!.payload).toMatchObject({ projectId: at.projectId, slug: "evented", restored: false });
      await caller.dashboards.restore({ ...at, slug: "evented" });
      await settle();
      expect(events.seen.filter((e) => e.orgId === at.orgId).at(-1)).toMatchObject({ name: "dashboard.created", payload: { slug: "evented", version: 2, restored: true } });
    } finally {
      events.off();
    }
  });
});
