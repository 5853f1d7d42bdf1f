/**
 * Comments and reviews on real PostgreSQL, through the procedures as members call them: threads
 * and replies, the unread marker, "outdated" after a chart change, Markdown that cannot run
 * script or fetch remote images, own-only edits, resolving as a capability, the size and rate
 * limits, agents writing on a person's behalf, and dashboards others cannot see staying 404.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { callerFor } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { COMMENTS_PER_MINUTE } from "./service";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

const TWO_CHARTS = `charts:
  - id: n
    type: kpi
    query: one
    value: n
  - id: m
    type: kpi
    query: two
    value: m
`;

function yamlWith(title: string, sqlOne = "select 1 as n") {
  return `title: ${JSON.stringify(title)}
queries:
  one:
    sql: ${sqlOne}
  two:
    sql: select 2 as m
${TWO_CHARTS}`;
}

/** An owner with a two-chart dashboard "sales", a viewer and an editor in the same org. */
async function team() {
  const owner = await workspace(k.kernel);
  await owner.caller.dashboards.create({ ...owner.at, yaml: yamlWith("Sales"), slug: "sales" });
  const viewer = await colleague(k.kernel, owner.org.id, "viewer");
  const editor = await colleague(k.kernel, owner.org.id, "editor");
  const d = { ...owner.at, slug: "sales" };
  return { owner, viewer, editor, d };
}

describe("threads", () => {
  test("a viewer starts a thread on the dashboard, an editor replies, and both read it in order with authors and the version", async () => {
    const { viewer, editor, d } = await team();
    const started = await viewer.caller.collaboration.comments.add({ ...d, body: "Why is **revenue** flat?" });
    expect(started.created).toBe(true);
    const reply = await editor.caller.collaboration.comments.add({ ...d, threadId: started.threadId, body: "Fixing the query" });
    expect(reply).toMatchObject({ threadId: started.threadId, created: false });

    const { threads } = await viewer.caller.collaboration.comments.list(d);
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({ chartId: null, status: "open" });
    expect(threads[0]!.comments.map((c) => [c.author?.id, c.body, c.dashboardVersion, c.mine])).toEqual([
      [viewer.user.id, "Why is **revenue** flat?", 1, true],
      [editor.user.id, "Fixing the query", 1, false],
    ]);
    expect(threads[0]!.comments[0]!.html).toContain("<strong>revenue</strong>");
  });

  test("a thread on a chart at variable values keeps them; a chart the dashboard lacks is a field error", async () => {
    const { viewer, d } = await team();
    await viewer.caller.collaboration.comments.add({ ...d, chartId: "m", variables: { region: "EMEA" }, body: "EMEA dips in March" });
    const { threads } = await viewer.caller.collaboration.comments.list({ ...d, chartId: "m" });
    expect(threads[0]).toMatchObject({ chartId: "m", variables: { region: "EMEA" } });
    const missing = await rejectionOf(viewer.caller.collaboration.comments.add({ ...d, chartId: "nope", body: "x" }));
    expect(missing.code).toBe("UNPROCESSABLE_CONTENT");
    expect(missing.fields.chartId?.[0]).toContain('no chart "nope"');
  });

  test("the unread marker shows others' new comments until the reader opens them, never one's own", async () => {
    const { viewer, editor, d } = await team();
    await viewer.caller.collaboration.comments.add({ ...d, body: "Mine" });
    expect((await viewer.caller.collaboration.comments.counts(d)).unread).toBe(0);
    expect((await editor.caller.collaboration.comments.counts(d)).unread).toBe(1);
    expect((await editor.caller.collaboration.comments.list(d)).threads[0]!.unread).toBe(true);
    await editor.caller.collaboration.comments.markRead(d);
    expect((await editor.caller.collaboration.comments.counts(d)).unread).toBe(0);
    expect((await editor.caller.collaboration.comments.list(d)).threads[0]!.unread).toBe(false);
  });

  test("counts give open threads per chart and on the dashboard", async () => {
    const { viewer, editor, d } = await team();
    await viewer.caller.collaboration.comments.add({ ...d, chartId: "n", body: "a" });
    await viewer.caller.collaboration.comments.add({ ...d, chartId: "n", body: "b" });
    const resolved = await viewer.caller.collaboration.comments.add({ ...d, chartId: "m", body: "c" });
    await viewer.caller.collaboration.comments.add({ ...d, body: "d" });
    await editor.caller.collaboration.threads.resolve({ ...d, threadId: resolved.threadId });
    expect(await viewer.caller.collaboration.comments.counts(d)).toMatchObject({ dashboard: 1, charts: { n: 2 }, open: 3, resolved: 1 });
  });
});

describe("outdated", () => {
  test("a chart comment turns outdated when its chart's query changes, not when something else on the dashboard does", async () => {
    const { owner, viewer, d } = await team();
    await viewer.caller.collaboration.comments.add({ ...d, chartId: "n", body: "On n" });
    await viewer.caller.collaboration.comments.add({ ...d, chartId: "m", body: "On m" });
    const onChart = async (id: string) => (await viewer.caller.collaboration.comments.list({ ...d, chartId: id })).threads[0]!;

    // A new title: both charts look the same as before.
    await owner.caller.dashboards.update({ ...d, version: 1, yaml: yamlWith("Sales, renamed") });
    expect((await onChart("n")).outdated).toBe(false);
    expect((await onChart("m")).outdated).toBe(false);

    // Chart n's query changes: its thread is outdated, m's is not; the comment still says v1.
    await owner.caller.dashboards.update({ ...d, version: 2, yaml: yamlWith("Sales, renamed", "select 3 as n") });
    const n = await onChart("n");
    expect(n.outdated).toBe(true);
    expect(n.comments[0]).toMatchObject({ dashboardVersion: 1, outdated: true });
    expect((await onChart("m")).outdated).toBe(false);

    // A reply on the new version is current again.
    await viewer.caller.collaboration.comments.add({ ...d, threadId: n.id, body: "Looks right now" });
    expect((await onChart("n")).outdated).toBe(false);
  });
});

describe("Markdown is rendered safe", () => {
  test("no script, no javascript: links, no remote images; ordinary links open without a referrer", async () => {
    const { viewer, d } = await team();
    const body = [
      "<script>alert(1)</script> <img src=x onerror=alert(1)>",
      "[click](javascript:alert(1)) [data](data:text/html,hi)",
      "![tracker](https://tracker.example/pixel.png)",
      "[docs](https://example.com/docs)",
    ].join("\n\n");
    await viewer.caller.collaboration.comments.add({ ...d, body });
    const html = (await viewer.caller.collaboration.comments.list(d)).threads[0]!.comments[0]!.html;
    // Raw HTML shows as text; no tag, link target or image address survives.
    expect(html).not.toMatch(/<script|<img|href="(javascript|data):|tracker\.example/i);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("[image: tracker]");
    expect(html).toContain('<a href="https://example.com/docs" rel="nofollow noopener noreferrer" target="_blank">docs</a>');
  });

  test("a body over 5,000 characters or only spaces is refused with a field error and writes nothing", async () => {
    const { viewer, d } = await team();
    for (const body of ["x".repeat(5001), "   "]) {
      const refused = await rejectionOf(viewer.caller.collaboration.comments.add({ ...d, body }));
      expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
      expect(refused.fields.body).toBeDefined();
    }
    expect((await viewer.caller.collaboration.comments.list({ ...d, status: "all" })).threads).toEqual([]);
  });
});

describe("own comments", () => {
  test("the author edits and deletes their comment; someone else may do neither (403), and a deleted one keeps its place without text", async () => {
    const { viewer, editor, owner, d } = await team();
    const { commentId } = await viewer.caller.collaboration.comments.add({ ...d, body: "Frist" });
    await viewer.caller.collaboration.comments.edit({ ...d, commentId, body: "First" });
    for (const other of [editor.caller, owner.caller]) {
      expect((await rejectionOf(other.collaboration.comments.edit({ ...d, commentId, body: "Mine now" }))).code).toBe("FORBIDDEN");
      expect((await rejectionOf(other.collaboration.comments.delete({ ...d, commentId }))).code).toBe("FORBIDDEN");
    }
    let comment = (await viewer.caller.collaboration.comments.list(d)).threads[0]!.comments[0]!;
    expect(comment).toMatchObject({ body: "First", deleted: false });
    expect(comment.editedAt).not.toBeNull();
    await viewer.caller.collaboration.comments.delete({ ...d, commentId });
    comment = (await viewer.caller.collaboration.comments.list(d)).threads[0]!.comments[0]!;
    expect(comment).toMatchObject({ body: null, html: "", deleted: true });
    expect((await rejectionOf(viewer.caller.collaboration.comments.edit({ ...d, commentId, body: "back" }))).code).toBe("NOT_FOUND");
  });
});

describe("resolving", () => {
  test("an editor resolves and reopens; a viewer may not (403); the filters follow", async () => {
    const { viewer, editor, d } = await team();
    const { threadId } = await viewer.caller.collaboration.comments.add({ ...d, body: "Please fix" });
    expect((await rejectionOf(viewer.caller.collaboration.threads.resolve({ ...d, threadId }))).code).toBe("FORBIDDEN");
    await editor.caller.collaboration.threads.resolve({ ...d, threadId });
    expect((await viewer.caller.collaboration.comments.list(d)).threads).toEqual([]);
    const resolved = (await viewer.caller.collaboration.comments.list({ ...d, status: "resolved" })).threads[0]!;
    expect(resolved).toMatchObject({ status: "resolved", resolvedBy: { id: editor.user.id } });
    await editor.caller.collaboration.threads.resolve({ ...d, threadId, resolved: false });
    expect((await viewer.caller.collaboration.comments.list(d)).threads[0]!.status).toBe("open");
  });
});

describe("reach", () => {
  test("a non-member, a missing dashboard, and a thread of another dashboard are all 404", async () => {
    const { owner, viewer, d } = await team();
    const stranger = await workspace(k.kernel);
    expect((await rejectionOf(stranger.caller.collaboration.comments.add({ ...d, body: "hi" }))).code).toBe("NOT_FOUND");
    expect((await rejectionOf(stranger.caller.collaboration.comments.list(d))).code).toBe("NOT_FOUND");
    expect((await rejectionOf(viewer.caller.collaboration.comments.add({ ...d, slug: "nope", body: "hi" }))).code).toBe("NOT_FOUND");

    await owner.caller.dashboards.create({ ...owner.at, yaml: simpleYaml("Other"), slug: "other" });
    const { threadId } = await viewer.caller.collaboration.comments.add({ ...d, slug: "other", body: "on other" });
    expect((await rejectionOf(viewer.caller.collaboration.comments.add({ ...d, threadId, body: "cross" }))).code).toBe("NOT_FOUND");
    expect((await rejectionOf(owner.caller.collaboration.threads.resolve({ ...d, threadId }))).code).toBe("NOT_FOUND");

    // A deleted dashboard takes its comments out of reach.
    await owner.caller.dashboards.delete({ ...d, slug: "other" });
    expect((await rejectionOf(viewer.caller.collaboration.comments.list({ ...d, slug: "other" }))).code).toBe("NOT_FOUND");
  });
});

describe("limits and agents", () => {
  test(`past ${COMMENTS_PER_MINUTE} comments a minute a person gets 429 with Retry-After`, async () => {
    const { viewer, d } = await team();
    for (let i = 0; i < COMMENTS_PER_MINUTE * k.kernel.config.rateLimitScale; i++) await viewer.caller.collaboration.comments.add({ ...d, body: `n${i}` });
    const refused = await rejectionOf(viewer.caller.collaboration.comments.add({ ...d, body: "one more" }));
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
  });

  test("a comment an agent writes for a person names both", async () => {
    const { viewer, d } = await team();
    const agent = callerFor(k.kernel, { kind: "user", userId: viewer.user.id, agent: { client: "Atrium assistant" } });
    await agent.collaboration.comments.add({ ...d, body: "Summary: revenue is flat" });
    const comment = (await viewer.caller.collaboration.comments.list(d)).threads[0]!.comments[0]!;
    expect(comment).toMatchObject({ author: { id: viewer.user.id }, viaAgent: "Atrium assistant" });
  });
});

describe("reviews", () => {
  test("an editor marks a version reviewed (again changes nothing); a viewer may not; a version that never was is 404", async () => {
    const { editor, viewer, d } = await team();
    await editor.caller.collaboration.reviews.mark({ ...d, version: 1 });
    await editor.caller.collaboration.reviews.mark({ ...d, version: 1 });
    const { reviews, version } = await viewer.caller.collaboration.reviews.list(d);
    expect(version).toBe(1);
    expect(reviews.map((r) => [r.version, r.reviewer?.id])).toEqual([[1, editor.user.id]]);
    expect((await rejectionOf(viewer.caller.collaboration.reviews.mark({ ...d, version: 1 }))).code).toBe("FORBIDDEN");
    expect((await rejectionOf(editor.caller.collaboration.reviews.mark({ ...d, version: 9 }))).code).toBe("NOT_FOUND");
    await editor.caller.collaboration.reviews.mark({ ...d, version: 1, reviewed: false });
    expect((await viewer.caller.collaboration.reviews.list(d)).reviews).toEqual([]);
  });
});
