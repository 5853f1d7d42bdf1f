/**
 * Mentions and notifications on real PostgreSQL: @-completion offers only people who can see the
 * dashboard; mentioning anyone else refuses the comment (422 on mentions) and tells nobody;
 * mentions and replies land in the right people's notifications, marked read on request; the
 * digest job sends one mail per person with what came in, as their preference allows, with an
 * unsubscribe link that works without signing in and refuses a forged signature.
 */
import { sql, type RawBuilder } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, createProject, rejectionOf, workspace } from "../dashboards/test-helpers";
import { callerFor, createUser } from "../../tests/setup/fixtures";
import { sendDigest, unsubscribeUrl } from "./notifications";
import { collaborationHttpRoutes } from "./http";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

const YAML = `title: Mentions
charts:
  - id: notes
    type: text
    markdown: hi
`;

async function team() {
  const owner = await workspace(k.kernel);
  await owner.caller.dashboards.create({ ...owner.at, yaml: YAML, slug: "m" });
  const viewer = await colleague(k.kernel, owner.org.id, "viewer");
  const editor = await colleague(k.kernel, owner.org.id, "editor");
  const d = { ...owner.at, slug: "m" };
  return { owner, viewer, editor, d };
}

async function outbox(to: string) {
  return k.kernel.ownerDb.selectFrom("mail_outbox").select(["subject", "text_body"]).where("to_address", "=", to).orderBy("id").execute();
}

/**
 * `count` more notifications, copies of the one on thread `kept`: those numbered `moved[0]` to
 * `moved[1]` are moved to thread `gone` (its dashboard, its comment); `at` places copy `i` in time
 * (an expression of the copied `n.created_at` and `i`).
 */
async function copiesOf(kept: string, gone: string, count: number, moved: [number, number], at: RawBuilder<unknown>) {
  const [from, to] = moved;
  await k.kernel.ownerDb.executeQuery(
    sql`insert into collaboration_notifications (org_id, user_id, kind, project_id, dashboard_id, thread_id, comment_id, actor_id, created_at)
      select n.org_id, n.user_id, n.kind, n.project_id, case when i between ${from} and ${to} then g.dashboard_id else n.dashboard_id end,
        case when i between ${from} and ${to} then g.thread_id else n.thread_id end, case when i between ${from} and ${to} then g.comment_id else n.comment_id end,
        n.actor_id, ${at}
      from collaboration_notifications n, collaboration_notifications g, generate_series(1, ${count}::int) i
      where n.thread_id = ${kept}::uuid and g.thread_id = ${gone}::uuid`.compile(k.kernel.ownerDb),
  );
}

describe("mentions", () => {
  test("completion offers members who can see the dashboard, by name, never outsiders", async () => {
    const { owner, viewer, d } = await team();
    const stranger = await workspace(k.kernel);
    const { members } = await owner.caller.collaboration.members({ ...d, prefix: "" });
    const ids = members.map((m) => m.id);
    expect(ids).toContain(viewer.user.id);
    expect(ids).not.toContain(stranger.user.id);
    expect(ids).not.toContain(owner.user.id);
    const byPrefix = await owner.caller.collaboration.members({ ...d, prefix: viewer.user.name.slice(0, 4) });
    expect(byPrefix.members.map((m) => m.id)).toContain(viewer.user.id);
  });

  test("mentioning someone who cannot see the dashboard is a field error, and nobody is told", async () => {
    const { owner, viewer, d } = await team();
    const outsider = await createUser(k.kernel);
    for (const mention of [outsider.id, outsider.email, "nobody@example.test"]) {
      const refused = await rejectionOf(owner.caller.collaboration.comments.add({ ...d, body: "@Someone look", mentions: [viewer.user.id, mention] }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields.mentions?.[0]).toContain("can see this dashboard");
    }
    expect((await viewer.caller.collaboration.notifications.list({ orgId: d.orgId })).items).toEqual([]);
    expect((await owner.caller.collaboration.comments.list(d)).threads).toEqual([]);
  });

  test("notifications come a page at a time, newest first, each once, skipping those on deleted dashboards; unread is counted up to 100", async () => {
    const { owner, viewer, editor, d } = await team();
    const { threadId } = await viewer.caller.collaboration.comments.add({ ...d, body: `@${editor.user.name} first`, mentions: [editor.user.email] });
    await owner.caller.dashboards.create({ orgId: d.orgId, projectId: d.projectId, yaml: "title: Gone soon", slug: "gone" });
    const gone = await owner.caller.collaboration.comments.add({ orgId: d.orgId, projectId: d.projectId, slug: "gone", body: `@${editor.user.name} here`, mentions: [editor.user.email] });
    // 129 more, as years of mentions would leave them: 119 on the dashboard that stays, a run of 10
    // on the one about to be deleted, one second apart, the same instant for a few (ties).
    await copiesOf(threadId, gone.threadId, 129, [50, 59], sql`n.created_at - make_interval(secs => (i / 3) * 3)`);
    const everything = await editor.caller.collaboration.notifications.list({ orgId: d.orgId, limit: 100 });
    expect(everything.unread).toBe(100);
    await owner.caller.dashboards.delete({ orgId: d.orgId, projectId: d.projectId, slug: "gone" });
    for (const limit of [1, 7, 30, 100]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await editor.caller.collaboration.notifications.list({ orgId: d.orgId, limit, cursor });
        seen.push(...page.items.map((n) => n.id));
        expect(page.items.every((n) => n.dashboardSlug === "m"), `limit ${limit}`).toBe(true);
        const times = page.items.map((n) => n.createdAt);
        expect(times, `limit ${limit}`).toEqual([...times].sort().reverse());
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined && pages < 200);
      expect([limit, seen.length, new Set(seen).size]).toEqual([limit, 120, 120]);
    }
    const unreadOnly = await editor.caller.collaboration.notifications.list({ orgId: d.orgId, unreadOnly: true, limit: 5 });
    expect([unreadOnly.items.length, unreadOnly.unread, unreadOnly.nextCursor === null]).toEqual([5, 100, false]);
    await editor.caller.collaboration.notifications.markRead({ orgId: d.orgId, all: true });
    expect((await editor.caller.collaboration.notifications.list({ orgId: d.orgId, unreadOnly: true })).items).toEqual([]);
    for (const bad of ["nope", "\u0000", Buffer.from('["soon","x"]').toString("base64url")]) {
      const refused = await rejectionOf(editor.caller.collaboration.notifications.list({ orgId: d.orgId, cursor: bad }));
      expect([refused.code, Object.keys(refused.fields)]).toEqual(["UNPROCESSABLE_CONTENT", ["cursor"]]);
    }
  });

  test("notifications on a deleted dashboard are neither counted nor listed, and every page is full however many of them lie between", async () => {
    const { owner, viewer, editor, d } = await team();
    const kept = await viewer.caller.collaboration.comments.add({ ...d, body: `@${editor.user.name} kept`, mentions: [editor.user.email] });
    await owner.caller.dashboards.create({ orgId: d.orgId, projectId: d.projectId, yaml: "title: Gone soon", slug: "gone" });
    const gone = await viewer.caller.collaboration.comments.add({ orgId: d.orgId, projectId: d.projectId, slug: "gone", body: `@${editor.user.name} gone`, mentions: [editor.user.email] });
    // Newest first: 2 on the dashboard that stays, 600 on the one about to be deleted, 3 more that
    // stay, then the two the comments made (one on each).
    await copiesOf(kept.threadId, gone.threadId, 605, [3, 602], sql`n.created_at + make_interval(secs => 1000 - i)`);
    expect((await editor.caller.collaboration.notifications.list({ orgId: d.orgId, limit: 1 })).unread).toBe(100);
    await owner.caller.dashboards.delete({ orgId: d.orgId, projectId: d.projectId, slug: "gone" });
    for (const unreadOnly of [false, true]) {
      for (const limit of [1, 2, 4, 6, 100]) {
        const pages: Array<{ size: number; unread: number; last: boolean }> = [];
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await editor.caller.collaboration.notifications.list({ orgId: d.orgId, limit, cursor, unreadOnly });
          expect(page.items.every((n) => n.dashboardSlug === "m" && n.excerpt.endsWith(" kept"))).toBe(true);
          seen.push(...page.items.map((n) => n.createdAt));
          cursor = page.nextCursor ?? undefined;
          pages.push({ size: page.items.length, unread: page.unread, last: cursor === undefined });
        } while (cursor !== undefined && pages.length < 10);
        // Six live ones, each once, newest first, in full pages but the last.
        const sizes = Array.from({ length: Math.ceil(6 / limit) }, (_, i) => Math.min(limit, 6 - i * limit));
        expect(pages, `limit ${limit}`).toEqual(sizes.map((size, i) => ({ size, unread: 6, last: i === sizes.length - 1 })));
        expect(seen).toEqual([...new Set(seen)].sort().reverse());
      }
    }
  });

  test("notifications show only the projects the caller still reaches, each with its slug: a token narrowed to one project, a deleted project", async () => {
    const { owner, viewer, editor, d } = await team();
    const other = await createProject(k.kernel, d.orgId);
    const there = { orgId: d.orgId, projectId: other.id, slug: "n" };
    await owner.caller.dashboards.create({ ...there, yaml: YAML.replace("Mentions", "Elsewhere") });
    await viewer.caller.collaboration.comments.add({ ...d, body: `@${editor.user.name} here`, mentions: [editor.user.email] });
    await viewer.caller.collaboration.comments.add({ ...there, body: `@${editor.user.name} there`, mentions: [editor.user.email] });
    const projectOf = async (caller: typeof editor.caller) => {
      const list = await caller.collaboration.notifications.list({ orgId: d.orgId });
      return { unread: list.unread, seen: list.items.map((n) => [n.projectId, n.projectSlug, n.dashboardSlug]).sort() };
    };
    const [mainSlug, otherSlug] = await Promise.all(
      [d.projectId, other.id].map(async (id) => (await k.kernel.ownerDb.selectFrom("projects").select("slug").where("id", "=", id).executeTakeFirstOrThrow()).slug),
    );
    expect(await projectOf(editor.caller)).toEqual({
      unread: 2,
      seen: [
        [d.projectId, mainSlug, "m"],
        [other.id, otherSlug, "n"],
      ].sort(),
    });
    // An agent's token narrowed to the first project hears only of that one.
    const narrowed = callerFor(k.kernel, { kind: "token", userId: editor.user.id, tokenId: crypto.randomUUID(), orgId: d.orgId, scopes: ["read"], projectIds: [d.projectId] });
    expect(await projectOf(narrowed)).toEqual({ unread: 1, seen: [[d.projectId, mainSlug, "m"]] });
    const nowhere = callerFor(k.kernel, { kind: "token", userId: editor.user.id, tokenId: crypto.randomUUID(), orgId: d.orgId, scopes: ["read"], projectIds: [] });
    expect(await projectOf(nowhere)).toEqual({ unread: 0, seen: [] });
    // A deleted project's notifications go, from the list and from the count.
    await k.kernel.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", other.id).execute();
    expect(await projectOf(editor.caller)).toEqual({ unread: 1, seen: [[d.projectId, mainSlug, "m"]] });
  });

  test("a mention and a reply reach the right people; mark read clears them", async () => {
    const { owner, viewer, editor, d } = await team();
    const { threadId } = await viewer.caller.collaboration.comments.add({ ...d, body: `@${editor.user.name} please check`, mentions: [editor.user.email] });
    await owner.caller.collaboration.comments.add({ ...d, threadId, body: "On it" });

    const forEditor = await editor.caller.collaboration.notifications.list({ orgId: d.orgId });
    expect(forEditor.items.map((n) => [n.kind, n.actor?.id, n.dashboardSlug])).toEqual([["mention", viewer.user.id, "m"]]);
    const forViewer = await viewer.caller.collaboration.notifications.list({ orgId: d.orgId });
    expect(forViewer.items.map((n) => [n.kind, n.actor?.id, n.excerpt])).toEqual([["reply", owner.user.id, "On it"]]);
    expect(forViewer.unread).toBe(1);
    expect((await owner.caller.collaboration.notifications.list({ orgId: d.orgId })).items).toEqual([]);

    await viewer.caller.collaboration.notifications.markRead({ orgId: d.orgId, all: true });
    expect((await viewer.caller.collaboration.notifications.list({ orgId: d.orgId })).unread).toBe(0);
  });
});

describe("email digest", () => {
  test("one mail with everything pending, as the preference allows; a second run sends nothing", async () => {
    const { owner, viewer, editor, d } = await team();
    const { threadId } = await editor.caller.collaboration.comments.add({ ...d, body: "First", mentions: [viewer.user.id] });
    await owner.caller.collaboration.comments.add({ ...d, threadId, body: "Second" });
    // The viewer wants mentions only: the reply is left out of their mail.
    await viewer.caller.collaboration.mailPreference.set({ email: "mentions" });
    expect(await sendDigest(k.kernel, d.orgId, viewer.user.id)).toEqual({ sent: 1 });
    const mails = await outbox(viewer.user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text_body).toContain("mentioned you on \"Mentions\": First");
    expect(mails[0]!.text_body).not.toContain("Second");
    expect(await sendDigest(k.kernel, d.orgId, viewer.user.id)).toEqual({ sent: 0 });
    expect(await outbox(viewer.user.email)).toHaveLength(1);

    // The editor wrote in the thread: the reply reaches them; with emails off, nothing is sent.
    await editor.caller.collaboration.mailPreference.set({ email: "off" });
    expect(await sendDigest(k.kernel, d.orgId, editor.user.id)).toEqual({ sent: 0 });
  });

  test("the unsubscribe link turns emails off without signing in; a forged one does nothing", async () => {
    const { viewer } = await team();
    const route = collaborationHttpRoutes[0]!;
    const url = new URL(unsubscribeUrl(k.kernel, viewer.user.id));
    const ctx = (u: URL) => ({ kernel: k.kernel, url: u, requestId: "t", params: {} }) as unknown as Parameters<typeof route.handle>[1];
    const forged = new URL(url);
    forged.searchParams.set("s", "x".repeat(43));
    expect((await route.handle(new Request(forged, { method: "POST" }), ctx(forged))).status).toBe(400);
    expect((await viewer.caller.collaboration.mailPreference.get()).email).toBe("all");
    const page = await route.handle(new Request(url), ctx(url));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Stop comment emails");
    expect((await viewer.caller.collaboration.mailPreference.get()).email).toBe("all");
    expect((await route.handle(new Request(url, { method: "POST" }), ctx(url))).status).toBe(200);
    expect((await viewer.caller.collaboration.mailPreference.get()).email).toBe("off");
  });
});
