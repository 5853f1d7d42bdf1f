/**
 * Work branches and conflicts against real bare repositories and the real git binary: edits made
 * in Atrium committed to the person's own branch (author: them) and pushed, promoted into the
 * trunk by fast-forward and by merge (a clash refused with nothing pushed), the stale-write 409,
 * and conflicts listed three ways and resolved (theirs, mine, merged YAML validated first).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootTestKernel } from "../../tests/setup/database";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { branchNameFor, type PromoteResult } from "./branches";
import type { PullRequestResult } from "./pull-request";
import { createRemote } from "./test-repos";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-branches-"));
const remotes: Array<{ remove: () => void }> = [];

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  k = await bootTestKernel();
});
afterAll(async () => {
  await k?.close();
  for (const r of remotes) r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

function remote() {
  const r = createRemote("main");
  remotes.push(r);
  return r;
}

/** Reads the bare repository as anyone with a clone would. */
const gitIn = (bare: string, ...args: string[]) => execFileSync("git", ["--git-dir", bare, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).trim();
const show = (bare: string, ref: string, file: string) => gitIn(bare, "show", `${ref}:${file}`);
/** A promotion in Atrium (not a pull request): its trunk commit and sync. */
function promotedInAtrium(result: PromoteResult | PullRequestResult): PromoteResult {
  if (result.mode === "pull-request") throw new Error(`expected a merge, got a pull request ${result.url}`);
  return result;
}

test("a work branch is named after the person", () => {
  expect(branchNameFor("Zoë O'Brien", "z@example.com")).toBe("atrium/zoe-o-brien");
  expect(branchNameFor("", "ada.l@example.com")).toBe("atrium/ada-l");
  expect(branchNameFor("!!!", "")).toBe("atrium/editor");
});

describe("commit, push and promote", () => {
  test("an editor's saved changes go to their own branch, authored by them; an admin promotes by fast-forward and the trunk sync takes them in", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    const first = r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B"), "dashboards/keep.yaml": simpleYaml("Keep") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });

    const editor = await colleague(k.kernel, w.org.id, "editor");
    await k.kernel.ownerDb.updateTable("users").set({ name: "Edda Editor" }).where("id", "=", editor.user.id).execute();
    await editor.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, edited in Atrium"), version: 1 });
    await editor.caller.dashboards.create({ ...w.at, slug: "fresh", yaml: simpleYaml("Fresh") });
    await w.caller.dashboards.delete({ ...w.at, slug: "b" });
    // The owner's own edit is not the editor's to commit.
    await w.caller.dashboards.update({ ...w.at, slug: "keep", yaml: simpleYaml("Keep, owner's draft"), version: 1 });

    const before = await editor.caller.gitSync.branches(w.at);
    expect(before).toMatchObject({ trunk: "main", trunkSha: first, myBranch: null, branches: [] });
    expect(before.changes.map((c) => [c.slug, c.kind, c.stale]).sort()).toEqual([
      ["a", "modified", false],
      ["b", "deleted", false],
      ["fresh", "added", false],
    ]);

    expect((await rejectionOf(editor.caller.gitSync.commit({ ...w.at, message: "  " }))).fields.message).toBeDefined();
    const commit = await editor.caller.gitSync.commit({ ...w.at, message: "Revise A, add Fresh, drop B" });
    expect(commit.branch).toBe("atrium/edda-editor");
    expect(commit.committed.map((c) => c.path).sort()).toEqual(["dashboards/a.yaml", "dashboards/b.yaml", "dashboards/fresh.yaml"]);
    expect(gitIn(r.bare, "log", "-1", "--format=%an <%ae>|%s|%P", commit.branch)).toBe(`Edda Editor <${editor.user.email}>|Revise A, add Fresh, drop B|${first}`);
    expect(show(r.bare, commit.branch, "dashboards/a.yaml")).toBe(simpleYaml("A, edited in Atrium").trim());
    expect(show(r.bare, commit.branch, "dashboards/keep.yaml")).toBe(simpleYaml("Keep").trim());
    expect(() => show(r.bare, commit.branch, "dashboards/b.yaml")).toThrow();
    expect(gitIn(r.bare, "rev-parse", "main")).toBe(first);

    // Committed: nothing pending; committing again makes no commit.
    const after = await editor.caller.gitSync.branches(w.at);
    expect(after.changes).toEqual([]);
    expect(after.branches).toEqual([
      {
        name: "atrium/edda-editor",
        sha: commit.commitSha,
        ahead: 1,
        behind: 0,
        mine: true,
        pullRequestUrl: null,
        changed: [
          { status: "M", path: "dashboards/a.yaml" },
          { status: "D", path: "dashboards/b.yaml" },
          { status: "A", path: "dashboards/fresh.yaml" },
        ],
      },
    ]);
    // The app now shows A and Fresh as the editor's branch holds them: that branch and its commit, beside the trunk's.
    expect(await editor.caller.gitSync.dashboardOrigin({ ...w.at, slug: "a" })).toEqual({
      origin: { path: "dashboards/a.yaml", branch: "main", commitSha: first, version: 1, current: false },
      workBranch: { branch: "atrium/edda-editor", commitSha: commit.commitSha, path: "dashboards/a.yaml" },
    });
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "fresh" })).toEqual({ origin: null, workBranch: { branch: "atrium/edda-editor", commitSha: commit.commitSha, path: "dashboards/fresh.yaml" } });
    // The owner's draft is on no branch yet.
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "keep" })).toMatchObject({ origin: { branch: "main", current: false }, workBranch: null });
    expect(await editor.caller.gitSync.commit({ ...w.at, message: "Again" })).toEqual({ branch: "atrium/edda-editor", commitSha: commit.commitSha, committed: [] });

    expect((await rejectionOf(editor.caller.gitSync.promote({ ...w.at, branch: commit.branch }))).code).toBe("FORBIDDEN");
    expect((await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: "main" }))).fields.branch).toBeDefined();
    expect((await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: "someone-else" }))).fields.branch?.[0]).toMatch(/not a work branch/);

    const promoted = await w.caller.gitSync.promote({ ...w.at, branch: commit.branch });
    expect(promoted).toMatchObject({ mode: "fast-forward", trunkSha: commit.commitSha, sync: { commitSha: commit.commitSha, conflicts: [] } });
    expect(gitIn(r.bare, "rev-parse", "main")).toBe(commit.commitSha);
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "a" })).toMatchObject({ origin: { path: "dashboards/a.yaml", branch: "main", commitSha: commit.commitSha, current: true }, workBranch: null });
    expect(await w.caller.gitSync.dashboardOrigin({ ...w.at, slug: "fresh" })).toMatchObject({ origin: { commitSha: commit.commitSha, current: true } });
    expect((await w.caller.dashboards.list(w.at)).items.map((d) => d.slug).sort()).toEqual(["a", "fresh", "keep"]);
    expect((await editor.caller.gitSync.branches(w.at)).branches[0]).toMatchObject({ ahead: 0, behind: 0, changed: [] });
    // The owner's draft is still theirs to commit.
    expect((await w.caller.gitSync.branches(w.at)).changes).toEqual([{ slug: "keep", path: "dashboards/keep.yaml", kind: "modified", stale: false }]);
    expect(await w.caller.gitSync.promote({ ...w.at, branch: commit.branch })).toMatchObject({ mode: "up-to-date", trunkSha: commit.commitSha });

    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select("action").where("org_id", "=", w.org.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["git-sync.commit", "git-sync.promote"]));
  });

  test("the trunk moved on: the next commit merges it into the work branch, promotion makes a merge commit; a clash is refused with nothing pushed", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });

    await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A v2"), version: 1 });
    const mine = await w.caller.gitSync.commit({ ...w.at, message: "A v2" });
    const outside = r.commit({ "dashboards/b.yaml": simpleYaml("B from outside") }, "B from outside");

    const promoted = promotedInAtrium(await w.caller.gitSync.promote({ ...w.at, branch: mine.branch }));
    expect(promoted.mode).toBe("merge");
    const trunk = gitIn(r.bare, "rev-parse", "main");
    expect(promoted.trunkSha).toBe(trunk);
    expect(gitIn(r.bare, "log", "-1", "--format=%P|%s", "main")).toBe(`${outside} ${mine.commitSha}|Promote ${mine.branch} into main`);
    expect(show(r.bare, "main", "dashboards/a.yaml")).toBe(simpleYaml("A v2").trim());
    expect((await w.caller.dashboards.get({ ...w.at, slug: "b" })).title).toBe("B from outside");

    // Both sides change A: the branch (from the app) and the trunk (from outside, after the app's edit was committed).
    await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A v3 in the app"), version: (await w.caller.dashboards.get({ ...w.at, slug: "a" })).version });
    const second = await w.caller.gitSync.commit({ ...w.at, message: "A v3" });
    expect(gitIn(r.bare, "log", "-1", "--format=%P", second.branch)).toBe(promoted.trunkSha);
    r.commit({ "dashboards/a.yaml": simpleYaml("A v3 from outside") }, "A from outside");
    const clash = await rejectionOf(w.caller.gitSync.promote({ ...w.at, branch: second.branch }));
    expect(clash).toMatchObject({ code: "CONFLICT", message: expect.stringContaining("dashboards/a.yaml") });
    expect(show(r.bare, "main", "dashboards/a.yaml")).toBe(simpleYaml("A v3 from outside").trim());
  });
});

describe("discard", () => {
  test("discarding puts the person's saved changes (committed or not, in conflict or not) back to the trunk's files and moves their branch back to the trunk; others' edits stay", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B"), "dashboards/keep.yaml": simpleYaml("Keep") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    const editor = await colleague(k.kernel, w.org.id, "editor");
    await k.kernel.ownerDb.updateTable("users").set({ name: "Dora Discard" }).where("id", "=", editor.user.id).execute();

    await editor.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A mine"), version: 1 });
    await editor.caller.dashboards.create({ ...w.at, slug: "fresh", yaml: simpleYaml("Fresh") });
    const committed = await editor.caller.gitSync.commit({ ...w.at, message: "Mine" });
    expect(committed.branch).toBe("atrium/dora-discard");
    await editor.caller.dashboards.update({ ...w.at, slug: "b", yaml: simpleYaml("B mine"), version: 1 });
    await w.caller.dashboards.update({ ...w.at, slug: "keep", yaml: simpleYaml("Keep, the owner's"), version: 1 });
    const theirs = r.commit({ "dashboards/a.yaml": simpleYaml("A theirs") }, "A from outside");
    expect((await w.caller.gitSync.sync(w.at)).conflicts.map((c) => c.path)).toEqual(["dashboards/a.yaml"]);

    const viewer = await colleague(k.kernel, w.org.id, "viewer");
    expect((await rejectionOf(viewer.caller.gitSync.discard(w.at))).code).toBe("FORBIDDEN");

    const discarded = await editor.caller.gitSync.discard(w.at);
    expect({ ...discarded, discarded: discarded.discarded.map((c) => `${c.path} ${c.kind}`).sort() }).toEqual({
      branch: "atrium/dora-discard",
      trunkSha: theirs,
      reset: true,
      discarded: ["dashboards/a.yaml modified", "dashboards/b.yaml modified", "dashboards/fresh.yaml added"],
    });
    expect(gitIn(r.bare, "rev-parse", "atrium/dora-discard")).toBe(theirs);
    expect(gitIn(r.bare, "rev-parse", "main")).toBe(theirs);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "a" })).title).toBe("A theirs");
    expect((await w.caller.dashboards.get({ ...w.at, slug: "b" })).title).toBe("B");
    expect((await w.caller.dashboards.list(w.at)).items.map((d) => d.slug).sort()).toEqual(["a", "b", "keep"]);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "keep" })).title).toBe("Keep, the owner's");
    expect(await w.caller.gitSync.status(w.at)).toMatchObject({ conflicts: [] });
    const after = await editor.caller.gitSync.branches(w.at);
    expect(after.changes).toEqual([]);
    expect(after.branches).toEqual([expect.objectContaining({ name: "atrium/dora-discard", sha: theirs, ahead: 0, behind: 0, changed: [] })]);
    expect((await w.caller.gitSync.branches(w.at)).changes).toEqual([{ slug: "keep", path: "dashboards/keep.yaml", kind: "modified", stale: false }]);
    // The next sync finds every file in step; discarding again changes nothing.
    expect(await w.caller.gitSync.sync(w.at)).toMatchObject({ imported: [], removed: [], conflicts: [] });
    expect(await editor.caller.gitSync.discard(w.at)).toMatchObject({ reset: false, discarded: [] });

    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).where("action", "=", "git-sync.discard").execute();
    expect(audit[0]?.data).toMatchObject({ branch: "atrium/dora-discard", reset: true, files: 3 });
  });
});

describe("stale writes and conflicts", () => {
  test("a commit over a file git changed since the edit started is a 409 naming it; the conflict is listed three ways and resolved as merged YAML, then committed", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B"), "dashboards/c.yaml": simpleYaml("C") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
    await w.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A mine"), version: 1 });
    await w.caller.dashboards.update({ ...w.at, slug: "b", yaml: simpleYaml("B mine"), version: 1 });
    await w.caller.dashboards.update({ ...w.at, slug: "c", yaml: simpleYaml("C mine"), version: 1 });
    const theirs = r.commit({ "dashboards/a.yaml": simpleYaml("A theirs"), "dashboards/b.yaml": simpleYaml("B theirs"), "dashboards/c.yaml": null }, "Their changes");

    // Not synced yet: the commit itself notices the trunk moved under the edits.
    const stale = await rejectionOf(w.caller.gitSync.commit({ ...w.at, message: "Mine" }));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.message).toMatch(/dashboards\/a\.yaml, dashboards\/b\.yaml, dashboards\/c\.yaml changed in git \(trunk main at [0-9a-f]{12}\)/);
    expect(gitIn(r.bare, "for-each-ref", "--format=%(refname)", "refs/heads/atrium")).toBe("");

    await w.caller.gitSync.sync(w.at);
    const { conflicts } = await w.caller.gitSync.conflicts(w.at);
    expect(conflicts.map((c) => ({ path: c.path, base: c.base?.includes('"A"') || c.base?.includes('"B"') || c.base?.includes('"C"'), theirs: c.theirs, mine: c.mine }))).toEqual([
      { path: "dashboards/a.yaml", base: true, theirs: simpleYaml("A theirs"), mine: simpleYaml("A mine") },
      { path: "dashboards/b.yaml", base: true, theirs: simpleYaml("B theirs"), mine: simpleYaml("B mine") },
      { path: "dashboards/c.yaml", base: true, theirs: null, mine: simpleYaml("C mine") },
    ]);

    const viewer = await colleague(k.kernel, w.org.id, "viewer");
    expect((await viewer.caller.gitSync.conflicts(w.at)).conflicts).toHaveLength(3);
    expect((await rejectionOf(viewer.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/a.yaml", take: "theirs" }))).code).toBe("FORBIDDEN");

    const invalid = await rejectionOf(w.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/a.yaml", take: "merged", yaml: "title: Merged\ncharts:\n  - id: a\n    type: pie-ish\n    query: nope\n" }));
    expect(invalid).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { yaml: [expect.stringMatching(/^Line 4: .*pie-ish/)] } });
    expect((await w.caller.gitSync.conflicts(w.at)).conflicts).toHaveLength(3);

    const merged = await w.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/a.yaml", take: "merged", yaml: simpleYaml("A merged") });
    expect(merged).toMatchObject({ slug: "a", take: "merged", remaining: 2 });
    expect((await w.caller.dashboards.get({ ...w.at, slug: "a" })).title).toBe("A merged");
    const took = await w.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/b.yaml", take: "theirs" });
    expect(took.remaining).toBe(1);
    expect((await w.caller.dashboards.get({ ...w.at, slug: "b" })).title).toBe("B theirs");
    await w.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/c.yaml", take: "mine" });
    expect((await rejectionOf(w.caller.gitSync.resolveConflict({ ...w.at, path: "dashboards/c.yaml", take: "mine" }))).fields.path).toBeDefined();
    expect(await w.caller.gitSync.status(w.at)).toMatchObject({ conflicts: [] });

    // Resolved: the merged A and the kept C are committed over git's side; B is git's already.
    const pending = await w.caller.gitSync.branches(w.at);
    expect(pending.changes.map((c) => [c.path, c.kind, c.stale])).toEqual([
      ["dashboards/a.yaml", "modified", false],
      ["dashboards/c.yaml", "added", false],
    ]);
    const commit = await w.caller.gitSync.commit({ ...w.at, message: "Merge A, keep C" });
    expect(gitIn(r.bare, "log", "-1", "--format=%P", commit.branch)).toBe(theirs);
    expect(show(r.bare, commit.branch, "dashboards/a.yaml")).toBe(simpleYaml("A merged").trim());
    expect(show(r.bare, commit.branch, "dashboards/c.yaml")).toBe(simpleYaml("C mine").trim());
    expect(show(r.bare, commit.branch, "dashboards/b.yaml")).toBe(simpleYaml("B theirs").trim());
    expect(promotedInAtrium(await w.caller.gitSync.promote({ ...w.at, branch: commit.branch })).sync).toMatchObject({ conflicts: [], imported: [] });
    expect((await w.caller.gitSync.branches(w.at)).changes).toEqual([]);
  });
});

describe("a dashboard as a branch holds it", () => {
  test("the trunk and each editor's work branch read on demand (fetched first); viewers may look; an unknown branch or a file the branch lacks is a 404 naming it", async () => {
    const w = await workspace(k.kernel);
    const r = remote();
    const first = r.commit({ "dashboards/a.yaml": simpleYaml("A"), "dashboards/b.yaml": simpleYaml("B") });
    await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });

    const editor = await colleague(k.kernel, w.org.id, "editor");
    await k.kernel.ownerDb.updateTable("users").set({ name: "Vera Branch" }).where("id", "=", editor.user.id).execute();
    await editor.caller.dashboards.update({ ...w.at, slug: "a", yaml: simpleYaml("A, on Vera's branch"), version: 1 });
    await editor.caller.dashboards.create({ ...w.at, slug: "only-here", yaml: simpleYaml("Only on the branch") });
    const commit = await editor.caller.gitSync.commit({ ...w.at, message: "Vera's edits" });

    const viewer = await colleague(k.kernel, w.org.id, "viewer");
    const onTrunk = await viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a" });
    expect(onTrunk).toMatchObject({ branch: "main", trunk: true, commitSha: first, path: "dashboards/a.yaml", format: "atrium" });
    expect(onTrunk.yaml.trim()).toBe(simpleYaml("A").trim());
    const onBranch = await viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a", branch: commit.branch });
    expect(onBranch).toMatchObject({ branch: "atrium/vera-branch", trunk: false, commitSha: commit.commitSha, path: "dashboards/a.yaml" });
    expect(onBranch.yaml.trim()).toBe(simpleYaml("A, on Vera's branch").trim());
    expect((await viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "only-here", branch: commit.branch })).yaml).toContain("Only on the branch");

    // Fetched on demand: the trunk moved on in git, not synced yet, and the view shows its head.
    const second = r.commit({ "dashboards/a.yaml": simpleYaml("A, moved on in git") });
    const moved = await viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a", branch: "main" });
    expect(moved.commitSha).toBe(second);
    expect(moved.yaml).toContain("moved on in git");

    const missing = await rejectionOf(viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a", branch: "atrium/nobody" }));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toContain('"atrium/nobody"');
    const notOnTrunk = await rejectionOf(viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "only-here" }));
    expect(notOnTrunk.code).toBe("NOT_FOUND");
    expect(notOnTrunk.message).toContain('"only-here"');
    const hostile = await rejectionOf(viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a", branch: "main..HEAD" }));
    expect(hostile.code).toBe("UNPROCESSABLE_CONTENT");
    expect(hostile.fields.branch).toBeDefined();
    expect((await rejectionOf(viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: " ", branch: "main" }))).fields.slug).toBeDefined();

    // The remote lost the branch: a 404 saying so, not a crash.
    execFileSync("git", ["--git-dir", r.bare, "branch", "-D", commit.branch], { stdio: "ignore", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } });
    const gone = await rejectionOf(viewer.caller.gitSync.dashboardAtBranch({ ...w.at, slug: "a", branch: commit.branch }));
    expect(gone.code).toBe("NOT_FOUND");
    expect(gone.message).toContain("deleted");
  });
});
