/**
 * `assistant.threads.*`: a person lists, renames and deletes their own conversations, per
 * project and on the org home; another member's conversation is not found.
 */
import { expect, test } from "vitest";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser } from "../../tests/setup/fixtures";
import { assistantDb, createThread, saveMessages } from "./service";
import { orgWithProject, personWithSession, userMessage } from "./test-helpers";

const booted = useTestKernel();

async function thread(orgId: string, userId: string, projectId: string | null, title: string) {
  const { kernel } = booted;
  return kernel.withScope({ userId, orgId }, async (trx) => {
    const t = await createThread(assistantDb(trx), { orgId, userId, projectId, title });
    await saveMessages(assistantDb(trx), orgId, t.id, [userMessage(title)]);
    return t;
  });
}

test("threads are listed per person and project, renamed and deleted by their owner only", async () => {
  const { kernel } = booted;
  const { org, project, owner } = await orgWithProject(kernel);
  const editor = await personWithSession(kernel, "Eddie Editor", { orgId: org.id, role: "editor" });
  const a = await thread(org.id, owner.id, project.id, "Revenue by region");
  const b = await thread(org.id, owner.id, null, "What changed this week?");
  await thread(org.id, editor.id, project.id, "Editor's own question");

  const me = asUser(kernel, owner.id).assistant.threads;
  expect((await me.list({ orgId: org.id, projectId: project.id })).items.map((t) => t.title)).toEqual(["Revenue by region"]);
  expect((await me.list({ orgId: org.id, projectId: null })).items.map((t) => t.title)).toEqual(["What changed this week?"]);
  expect((await me.list({ orgId: org.id })).items.map((t) => t.id).sort()).toEqual([a.id, b.id].sort());

  const renamed = await me.rename({ orgId: org.id, threadId: a.id, title: "  Regional revenue  " });
  expect(renamed.title).toBe("Regional revenue");
  await expect(me.rename({ orgId: org.id, threadId: a.id, title: " " })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  const opened = await me.get({ orgId: org.id, threadId: a.id });
  expect(opened.messages.map((m) => m.role)).toEqual(["user"]);

  // Someone else's thread: not found, whatever they try.
  const them = asUser(kernel, editor.id).assistant.threads;
  await expect(them.get({ orgId: org.id, threadId: a.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(them.rename({ orgId: org.id, threadId: a.id, title: "mine now" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(them.delete({ orgId: org.id, threadId: a.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

  await me.delete({ orgId: org.id, threadId: a.id });
  await expect(me.get({ orgId: org.id, threadId: a.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  const left = await kernel.ownerDb.withTables<{ assistant_messages: { thread_id: string } }>().selectFrom("assistant_messages").select("thread_id").where("thread_id", "=", a.id).execute();
  expect(left).toEqual([]);
  const audit = await kernel.ownerDb.selectFrom("audit_events").select(["action", "actor_kind"]).where("org_id", "=", org.id).where("action", "like", "assistant.thread.%").execute();
  expect(audit).toEqual(expect.arrayContaining([{ action: "assistant.thread.rename", actor_kind: "user" }, { action: "assistant.thread.delete", actor_kind: "user" }]));
});

test("a project the person cannot see is not found", async () => {
  const { kernel } = booted;
  const { org, owner } = await orgWithProject(kernel);
  const other = await orgWithProject(kernel);
  await expect(asUser(kernel, owner.id).assistant.threads.list({ orgId: org.id, projectId: other.project.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
});
