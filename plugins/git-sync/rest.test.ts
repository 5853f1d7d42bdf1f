/**
 * Git sync over the REST API, through the client typed from the OpenAPI document: a plain
 * file:// repository connected, its status, a sync that reports a conflict, the branches, the
 * conflict listed and resolved, a commit and its promotion, a dashboard read and run as a work
 * branch holds it; refusals in Atrium's shape (403 for a viewer, 404 for another organization,
 * 422 naming the field). Real git, real PostgreSQL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { colleague, simpleYaml, workspace } from "../dashboards/test-helpers";
import type { paths } from "../rest-api/openapi-types";
import { bootSyncServer, createToken } from "../sync/test-helpers";
import { createRemote } from "./test-repos";

let s: Awaited<ReturnType<typeof bootSyncServer>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-rest-"));
const remotes: Array<{ remove: () => void }> = [];

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  s = await bootSyncServer();
});
afterAll(async () => {
  await s?.close();
  for (const r of remotes) r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

function client(bearer: string) {
  return createClient<paths>({ baseUrl: `${s.url}/api/v1`, headers: { authorization: `Bearer ${bearer}` } });
}

describe("git sync through a typed client", () => {
  test("connect a file:// repository, status, a sync with a conflict, branches, the conflict resolved, a commit promoted", async () => {
    const w = await workspace(s.kernel, "owner");
    const api = client(await createToken(s.kernel, w.user.id, w.org.id, ["read", "write"]));
    const at = w.at;
    const r = createRemote("main");
    remotes.push(r);
    const first = r.commit({ "dashboards/sales.yaml": simpleYaml("Sales"), "dashboards/broken.yaml": "title: [unclosed\n" });

    const before = await api.GET("/orgs/{orgId}/projects/{projectId}/git", { params: { path: at } });
    expect(before.response.status).toBe(200);
    expect(before.data).toEqual({ connected: false });

    const connected = await api.POST("/orgs/{orgId}/projects/{projectId}/git/connection", { params: { path: at }, body: { remoteUrl: r.url } });
    expect(connected.error).toBeUndefined();
    expect(connected.data).toMatchObject({ commitSha: first, imported: ["sales"], removed: [], conflicts: [] });
    expect(connected.data?.problems).toContainEqual(expect.objectContaining({ path: "dashboards/broken.yaml", message: expect.any(String) }));

    const status = await api.GET("/orgs/{orgId}/projects/{projectId}/git", { params: { path: at } });
    expect(status.data).toMatchObject({ connected: true, remoteUrl: r.url, trunk: "main", subdirectory: "", hasToken: false, auth: "token", trunkSha: first, files: [{ path: "dashboards/sales.yaml", slug: "sales", commitSha: first }] });

    // Edited in Atrium and in git since the import: the sync leaves the file alone and says so.
    await w.caller.dashboards.update({ ...at, slug: "sales", yaml: simpleYaml("Sales, edited in Atrium"), version: 1 });
    const second = r.commit({ "dashboards/sales.yaml": simpleYaml("Sales, edited in git") });
    const synced = await api.POST("/orgs/{orgId}/projects/{projectId}/git/syncs", { params: { path: at } });
    expect(synced.error).toBeUndefined();
    expect(synced.data).toMatchObject({ commitSha: second, imported: [], conflicts: [{ path: "dashboards/sales.yaml", slug: "sales", commitSha: second }] });

    const branches = await api.GET("/orgs/{orgId}/projects/{projectId}/git/branches", { params: { path: at } });
    expect(branches.data).toMatchObject({ trunk: "main", trunkSha: second, myBranch: null, branches: [], changes: [{ slug: "sales", path: "dashboards/sales.yaml", kind: "modified", stale: true }] });

    const conflicts = await api.GET("/orgs/{orgId}/projects/{projectId}/git/conflicts", { params: { path: at } });
    expect(conflicts.data?.conflicts).toEqual([
      expect.objectContaining({ path: "dashboards/sales.yaml", slug: "sales", base: simpleYaml("Sales"), theirs: simpleYaml("Sales, edited in git"), mine: expect.stringContaining("Sales, edited in Atrium") }),
    ]);

    // A commit over git's change is refused until the conflict is resolved.
    const stale = await api.POST("/orgs/{orgId}/projects/{projectId}/git/commits", { params: { path: at }, body: { message: "Revise sales" } });
    expect(stale.response.status).toBe(409);
    const resolved = await api.POST("/orgs/{orgId}/projects/{projectId}/git/conflicts/resolutions", { params: { path: at }, body: { path: "dashboards/sales.yaml", take: "mine" } });
    expect(resolved.data).toEqual({ path: "dashboards/sales.yaml", slug: "sales", take: "mine", version: 2, remaining: 0 });

    const committed = await api.POST("/orgs/{orgId}/projects/{projectId}/git/commits", { params: { path: at }, body: { message: "Revise sales" } });
    expect(committed.error).toBeUndefined();
    expect(committed.data).toMatchObject({ branch: expect.stringMatching(/^atrium\//), commitSha: expect.stringMatching(/^[0-9a-f]{40}$/), committed: [{ slug: "sales", path: "dashboards/sales.yaml", kind: "modified" }] });

    const promoted = await api.POST("/orgs/{orgId}/projects/{projectId}/git/promotions", { params: { path: at }, body: { branch: committed.data!.branch } });
    expect(promoted.error).toBeUndefined();
    expect(promoted.data).toMatchObject({ branch: committed.data!.branch, mode: "fast-forward", trunkSha: committed.data!.commitSha, sync: { commitSha: committed.data!.commitSha, conflicts: [] } });
    expect((await api.GET("/orgs/{orgId}/projects/{projectId}/git", { params: { path: at } })).data).toMatchObject({ trunkSha: committed.data!.commitSha, conflicts: [] });
  });

  test("refusals: a viewer reads but may not sync (403), another organization sees nothing (404), bad input is a 422 naming the field", async () => {
    const w = await workspace(s.kernel, "owner");
    const api = client(await createToken(s.kernel, w.user.id, w.org.id, ["read", "write"]));
    const at = w.at;
    const r = createRemote("main");
    remotes.push(r);
    r.commit({ "dashboards/sales.yaml": simpleYaml("Sales") });
    expect((await api.POST("/orgs/{orgId}/projects/{projectId}/git/connection", { params: { path: at }, body: { remoteUrl: r.url } })).response.status).toBe(200);

    const viewer = await colleague(s.kernel, w.org.id, "viewer");
    const viewerApi = client(await createToken(s.kernel, viewer.user.id, w.org.id, ["read", "write"]));
    expect((await viewerApi.GET("/orgs/{orgId}/projects/{projectId}/git", { params: { path: at } })).data).toMatchObject({ connected: true });
    const refused = await viewerApi.POST("/orgs/{orgId}/projects/{projectId}/git/syncs", { params: { path: at } });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect((await viewerApi.POST("/orgs/{orgId}/projects/{projectId}/git/connection", { params: { path: at }, body: { remoteUrl: r.url } })).response.status).toBe(403);

    const stranger = await workspace(s.kernel, "owner");
    const strangerApi = client(await createToken(s.kernel, stranger.user.id, stranger.org.id, ["read", "write"]));
    const hidden = await strangerApi.GET("/orgs/{orgId}/projects/{projectId}/git", { params: { path: at } });
    expect(hidden.response.status).toBe(404);
    expect(hidden.error).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await strangerApi.GET("/orgs/{orgId}/projects/{projectId}/git/conflicts", { params: { path: at } })).response.status).toBe(404);

    const noMessage = await api.POST("/orgs/{orgId}/projects/{projectId}/git/commits", { params: { path: at }, body: { message: "  " } });
    expect(noMessage.response.status).toBe(422);
    expect(noMessage.error).toMatchObject({ error: { code: "UNPROCESSABLE_CONTENT" }, fieldErrors: { message: [expect.any(String)] } });
    const noAddress = await api.POST("/orgs/{orgId}/projects/{projectId}/git/connection", { params: { path: at }, body: {} });
    expect(noAddress.response.status).toBe(422);
    expect(noAddress.error).toMatchObject({ fieldErrors: { remoteUrl: [expect.any(String)] } });
    const noSuchConflict = await api.POST("/orgs/{orgId}/projects/{projectId}/git/conflicts/resolutions", { params: { path: at }, body: { path: "dashboards/sales.yaml", take: "theirs" } });
    expect(noSuchConflict.response.status).toBe(422);
    expect(noSuchConflict.error).toMatchObject({ fieldErrors: { path: [expect.any(String)] } });
  });

  test("a dashboard as a work branch holds it: its file read, its queries run with the branch's SQL (a read-only token may), 404 for an unknown branch and for another organization", async () => {
    const w = await workspace(s.kernel, "owner");
    const at = w.at;
    const r = createRemote("main");
    remotes.push(r);
    r.commit({ "dashboards/sales.yaml": simpleYaml("Sales") });
    await w.caller.gitSync.connect({ ...at, remoteUrl: r.url });
    await w.caller.dashboards.update({ ...at, slug: "sales", yaml: simpleYaml("Sales on the branch").replace("select 1 as n", "select 42 as n"), version: 1 });
    const { branch } = await w.caller.gitSync.commit({ ...at, message: "Sales from the branch" });

    const viewer = await colleague(s.kernel, w.org.id, "viewer");
    const readOnly = client(await createToken(s.kernel, viewer.user.id, w.org.id, ["read"]));
    const file = await readOnly.GET("/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}", { params: { path: { ...at, slug: "sales" }, query: { branch } } });
    expect(file.data).toMatchObject({ branch, trunk: false, path: "dashboards/sales.yaml", yaml: expect.stringContaining("select 42 as n") });
    const run = await readOnly.POST("/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}/run", { params: { path: { ...at, slug: "sales" } }, body: { branch } });
    expect(run.error).toBeUndefined();
    expect(run.data).toMatchObject({ branch, problems: [], document: { title: "Sales on the branch" }, run: { results: { one: { ok: true, rows: [{ n: 42 }] } } } });
    const onTrunk = await readOnly.POST("/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}/run", { params: { path: { ...at, slug: "sales" } }, body: {} });
    expect(onTrunk.data).toMatchObject({ branch: "main", trunk: true, run: { results: { one: { ok: true, rows: [{ n: 1 }] } } } });

    const unknown = await readOnly.POST("/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}/run", { params: { path: { ...at, slug: "sales" } }, body: { branch: "atrium/nobody" } });
    expect(unknown.response.status).toBe(404);
    expect(unknown.error).toMatchObject({ error: { code: "NOT_FOUND" } });
    const stranger = await workspace(s.kernel, "owner");
    const strangerApi = client(await createToken(s.kernel, stranger.user.id, stranger.org.id, ["read", "write"]));
    expect((await strangerApi.POST("/orgs/{orgId}/projects/{projectId}/git/dashboards/{slug}/run", { params: { path: { ...at, slug: "sales" } }, body: { branch } })).response.status).toBe(404);
  });
});
