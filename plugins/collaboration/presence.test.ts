/**
 * Live presence and updates on real PostgreSQL with two kernels on one database (two app
 * instances): a viewer subscribed on the second hears who opens the dashboard on the first, the
 * version saved there ("Updated by …"), the comment written there, and the editor leaving. A
 * presence row lapses 45 seconds after its last heartbeat; a person without the dashboard gets
 * nothing (404).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser } from "../../tests/setup/fixtures";
import { bootTestKernel } from "../../tests/setup/database";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import type { LiveMessage } from "./router";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let second: Awaited<ReturnType<typeof bootTestKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
  second = await bootTestKernel({ url: k.url });
});
afterAll(async () => {
  await second?.close();
  await k?.close();
});

async function team() {
  const owner = await workspace(k.kernel);
  await owner.caller.dashboards.create({ ...owner.at, yaml: simpleYaml("Sales"), slug: "sales" });
  const ann = await colleague(k.kernel, owner.org.id, "editor");
  const bob = await colleague(k.kernel, owner.org.id, "viewer");
  for (const [person, name] of [[ann, "Ann Editor"], [bob, "Bob Viewer"]] as const) {
    await k.kernel.ownerDb.updateTable("users").set({ name }).where("id", "=", person.user.id).execute();
    person.user.name = name;
  }
  return { owner, ann, bob, d: { ...owner.at, slug: "sales" } };
}

/** An open page's live stream as `userId` on `kernel`: read its messages one by one, close it. */
async function openPage(kernel: typeof k.kernel, userId: string, input: { orgId: string; projectId: string; slug: string; editing?: boolean }) {
  const controller = new AbortController();
  const stream = await asUser(kernel, userId, { signal: controller.signal }).collaboration.live.dashboard(input);
  const it = stream[Symbol.asyncIterator]();
  return {
    async next(): Promise<LiveMessage> {
      const { value, done } = await it.next();
      if (done) throw new Error("the stream ended");
      return value as LiveMessage;
    },
    async close() {
      controller.abort();
      await it.return?.();
    },
  };
}

const names = (m: LiveMessage) => (m.kind === "present" ? m.people.map((p) => `${p.name}${p.editing ? " (editing)" : ""}${p.you ? " (you)" : ""}`) : m);

describe("live presence and updates", () => {
  test("a save, a comment and an editor's coming and going on one instance reach a viewer on another", async () => {
    const { ann, bob, d } = await team();
    const annName = ann.user.name;
    const bobPage = await openPage(second.kernel, bob.user.id, d);
    // The first message is who is here (the viewer alone); from then on it is listening.
    expect(names(await bobPage.next())).toEqual([`${bob.user.name} (you)`]);

    const annPage = await openPage(k.kernel, ann.user.id, { ...d, editing: true });
    expect(names(await annPage.next())).toEqual(expect.arrayContaining([`${annName} (editing) (you)`, bob.user.name]));
    expect(names(await bobPage.next())).toEqual([`${bob.user.name} (you)`, `${annName} (editing)`]);

    await ann.caller.dashboards.update({ ...d, yaml: simpleYaml("Sales, renamed"), version: 1 });
    expect(await bobPage.next()).toEqual({ kind: "saved", version: 2, byName: annName, you: false });

    const { threadId } = await ann.caller.collaboration.comments.add({ ...d, body: "Looks right now" });
    expect(await bobPage.next()).toEqual({ kind: "comment", threadId, byName: annName, you: false });

    // Ann closes her editor: gone at once, not after the lapse.
    await annPage.close();
    expect(names(await bobPage.next())).toEqual([`${bob.user.name} (you)`]);
    await bobPage.close();
    const left = await sql<{ n: number }>`select count(*)::int as n from collaboration_presence p join dashboards_dashboards d on d.id = p.dashboard_id where d.project_id = ${d.projectId}`.execute(k.kernel.ownerDb);
    expect(left.rows[0]!.n).toBe(0);
  });

  test("presence lapses 45 seconds after the last heartbeat; a stranger cannot listen", async () => {
    const { ann, bob, d } = await team();
    const annPage = await openPage(k.kernel, ann.user.id, d);
    await annPage.next();
    // Ann's browser dies without a word, and 46 seconds pass without a heartbeat.
    await sql`update collaboration_presence set expires_at = now() - interval '1 second'`.execute(k.kernel.ownerDb);
    const bobPage = await openPage(second.kernel, bob.user.id, d);
    expect(names(await bobPage.next())).toEqual([`${bob.user.name} (you)`]);
    await bobPage.close();
    await annPage.close();

    const stranger = await workspace(k.kernel);
    const refused = await rejectionOf(openPage(k.kernel, stranger.user.id, d));
    expect(refused.code).toBe("NOT_FOUND");
  });
});
