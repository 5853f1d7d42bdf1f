/**
 * The activity feed on real PostgreSQL: saves, comments, reviews and shares of a project or an
 * org, newest first, filtered by kind and person, paged without gaps or repeats; nothing from
 * another org, another project (in a project's feed) or a deleted dashboard ever shows.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser, createUser } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, createProject, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

async function team() {
  const owner = await workspace(k.kernel);
  const editor = await colleague(k.kernel, owner.org.id, "editor");
  const viewer = await colleague(k.kernel, owner.org.id, "viewer");
  const d = { ...owner.at, slug: "sales" };
  await owner.caller.dashboards.create({ ...owner.at, slug: "sales", yaml: simpleYaml("Sales") });
  return { owner, editor, viewer, d };
}

describe("activity", () => {
  test("saves, comments, reviews and shares show newest first, with who and what", async () => {
    const { owner, editor, viewer, d } = await team();
    await editor.caller.dashboards.update({ ...d, yaml: simpleYaml("Sales v2"), version: 1 });
    await viewer.caller.collaboration.comments.add({ ...d, body: "Why did  the\nnumbers drop?" });
    await owner.caller.collaboration.reviews.mark({ ...d, version: 2 });
    await owner.caller.sharing.share({ ...d, email: "guest@example.test", role: "view" });

    const { items, nextCursor } = await viewer.caller.collaboration.activity.list({ orgId: d.orgId, projectId: d.projectId });
    expect(nextCursor).toBeNull();
    expect(items.map((e) => [e.kind, e.verb, e.actor?.id])).toEqual([
      ["share", "shared", owner.user.id],
      ["review", "reviewed", owner.user.id],
      ["comment", "commented on", viewer.user.id],
      ["save", "saved", editor.user.id],
      ["save", "created", owner.user.id],
    ]);
    const [share, review, comment, save] = items;
    expect(share!.role).toBe("view");
    expect(JSON.stringify(share)).not.toContain("guest@example.test");
    expect(review!.version).toBe(2);
    expect(comment!.excerpt).toBe("Why did the numbers drop?");
    expect(comment!.threadId).toBeTruthy();
    expect(save).toMatchObject({ version: 2, dashboard: { slug: "sales", title: "Sales v2" }, project: { id: d.projectId, slug: owner.project.slug } });
    expect(save!.summary).toBe(`${editor.user.name} saved Sales v2 (version 2)`);
  });

  test("filters by kind and person; the org feed spans projects, a project's feed stays in it", async () => {
    const { owner, editor, d } = await team();
    const other = await createProject(k.kernel, owner.org.id);
    await editor.caller.dashboards.create({ orgId: d.orgId, projectId: other.id, slug: "ops", yaml: simpleYaml("Ops") });
    await editor.caller.collaboration.comments.add({ ...d, body: "Looks right" });

    const comments = await owner.caller.collaboration.activity.list({ orgId: d.orgId, kinds: ["comment"] });
    expect(comments.items.map((e) => e.kind)).toEqual(["comment"]);
    const byEditor = await owner.caller.collaboration.activity.list({ orgId: d.orgId, personId: editor.user.id });
    expect(byEditor.items.map((e) => [e.kind, e.dashboard?.slug])).toEqual([
      ["comment", "sales"],
      ["save", "ops"],
    ]);
    expect(byEditor.items[1]!.project).toMatchObject({ id: other.id, name: other.name });
    const inProject = await owner.caller.collaboration.activity.list({ ...d });
    expect(inProject.items.map((e) => e.dashboard?.slug)).toEqual(["sales", "sales"]);
  });

  test("pages follow each other without gaps or repeats", async () => {
    const { owner, d } = await team();
    for (let v = 1; v <= 4; v++) await owner.caller.dashboards.update({ ...d, yaml: simpleYaml(`Sales ${v}`), version: v });
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await owner.caller.collaboration.activity.list({ ...d, limit: 2, cursor });
      seen.push(...result.items.map((e) => e.version!));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual([5, 4, 3, 2, 1]);
  });

  test("another org's activity, a deleted dashboard's and strangers never see it", async () => {
    const { owner, d } = await team();
    await owner.caller.dashboards.create({ ...owner.at, slug: "gone", yaml: simpleYaml("Gone soon") });
    await owner.caller.collaboration.comments.add({ ...d, slug: "gone", body: "Before it went" });
    await owner.caller.dashboards.delete({ ...d, slug: "gone" });
    const stranger = await workspace(k.kernel);
    await stranger.caller.dashboards.create({ ...stranger.at, slug: "theirs", yaml: simpleYaml("Theirs") });

    const mine = await owner.caller.collaboration.activity.list({ orgId: d.orgId });
    expect(mine.items.map((e) => e.dashboard?.slug)).toEqual(["sales"]);
    for (const call of [
      () => stranger.caller.collaboration.activity.list({ orgId: d.orgId }),
      () => stranger.caller.collaboration.activity.list({ orgId: stranger.at.orgId, projectId: d.projectId }),
    ]) {
      expect((await rejectionOf(call())).code).toBe("NOT_FOUND");
    }
    const theirs = await stranger.caller.collaboration.activity.list({ orgId: stranger.at.orgId });
    expect(theirs.items.map((e) => e.dashboard?.slug)).toEqual(["theirs"]);
  });

  test("a project override that withholds dashboard.view hides that project's entries; reaching no project at all is an empty feed", async () => {
    const { owner, d } = await team();
    const second = await createProject(k.kernel, d.orgId);
    await owner.caller.dashboards.create({ orgId: d.orgId, projectId: second.id, slug: "costs", yaml: simpleYaml("Costs") });
    const restricted = await colleague(k.kernel, d.orgId, "editor", [{ projectId: second.id, role: "viewer" }]);
    const nowhere = await colleague(k.kernel, d.orgId, "editor", [
      { projectId: d.projectId, role: "viewer" },
      { projectId: second.id, role: "viewer" },
    ]);
    expect((await restricted.caller.collaboration.activity.list({ orgId: d.orgId })).items.map((e) => e.dashboard?.slug).sort()).toEqual(["costs", "sales"]);
    // A viewer role without dashboard.view (as a plugin's own capability set might have it).
    const capabilities = k.kernel.capabilities;
    const original = capabilities.allows.bind(capabilities);
    capabilities.allows = (role, id) => (role === "viewer" && id === "dashboard.view" ? false : original(role, id));
    try {
      const feed = await restricted.caller.collaboration.activity.list({ orgId: d.orgId });
      expect(feed.items.map((e) => [e.dashboard?.slug, e.project.id])).toEqual([["sales", d.projectId]]);
      expect(await nowhere.caller.collaboration.activity.list({ orgId: d.orgId })).toEqual({ items: [], nextCursor: null });
    } finally {
      capabilities.allows = original;
    }
  });

  test("someone whose only access is a shared dashboard sees that dashboard's entries alone; revoking takes the feed away", async () => {
    const { owner, editor, d } = await team();
    const other = await createProject(k.kernel, owner.org.id);
    await owner.caller.dashboards.create({ ...owner.at, slug: "private", yaml: simpleYaml("Private") });
    await editor.caller.dashboards.create({ orgId: d.orgId, projectId: other.id, slug: "ops", yaml: simpleYaml("Ops") });
    const guest = await createUser(k.kernel, "Guest");
    await k.kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", guest.id).execute();
    const guestCaller = asUser(k.kernel, guest.id);
    await owner.caller.sharing.share({ ...d, email: guest.email, role: "view" });
    await editor.caller.dashboards.update({ ...d, yaml: simpleYaml("Sales v2"), version: 1 });
    await editor.caller.collaboration.comments.add({ ...d, slug: "private", body: "Not for guests" });
    await owner.caller.sharing.share({ orgId: d.orgId, projectId: other.id, email: "someone@example.test", role: "view" });

    const feed = await guestCaller.collaboration.activity.list({ orgId: d.orgId });
    expect(feed.items.map((e) => [e.kind, e.verb, e.dashboard?.slug])).toEqual([
      ["save", "saved", "sales"],
      ["share", "shared", "sales"],
      ["save", "created", "sales"],
    ]);
    expect(JSON.stringify(feed)).not.toContain(guest.email);
    expect((await guestCaller.collaboration.activity.list({ ...d, kinds: ["save"] })).items.map((e) => e.version)).toEqual([2, 1]);
    // The other project is not reached at all: 404, as for any stranger.
    expect((await rejectionOf(guestCaller.collaboration.activity.list({ orgId: d.orgId, projectId: other.id }))).code).toBe("NOT_FOUND");

    const grantId = (await owner.caller.sharing.access({ ...d })).entries.find((e) => e.kind === "grant")!.grantId!;
    await owner.caller.sharing.revoke({ ...owner.at, grantId });
    for (const call of [() => guestCaller.collaboration.activity.list({ orgId: d.orgId }), () => guestCaller.collaboration.activity.list({ ...d })]) {
      expect((await rejectionOf(call())).code).toBe("NOT_FOUND");
    }
  });

  test("a cursor that was not handed out is a field error", async () => {
    const { owner, d } = await team();
    const refused = await rejectionOf(owner.caller.collaboration.activity.list({ orgId: d.orgId, cursor: "1' or 1=1" }));
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(refused.fields.cursor?.[0]).toContain("nextCursor");
  });
});
