/**
 * The assistant panel's logic without a browser: the store drives the real chat client against
 * the real chat endpoint logic (a scripted model) and the real router through the browser's
 * tRPC client. Sending, the streaming state, Stop, Retry, Edit and resend, approving a
 * destructive tool, and the saved conversations.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "../../../tests/setup/database";
import { clientAs } from "../../../tests/setup/browser-client";
import { testRouter } from "../../../tests/setup/fixtures";
import { savedSourceForTest } from "../../data/test-helpers";
import type { AssistantConfig } from "../config";
import { chatFetch, lastToolResult, orgWithProject, scriptedModel, TEST_LIMITS } from "../test-helpers";
import { createAssistantStore, textOf, type OpenEditor } from "./assistant-store";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
let kernel: Kernel;
let world: Awaited<ReturnType<typeof orgWithProject>>;

beforeAll(async () => {
  // The status procedure reads the model settings from the environment.
  vi.stubEnv("AI_BASE_URL", "http://127.0.0.1:9/v1");
  vi.stubEnv("AI_MODEL", "scripted");
  k = await bootTestKernel();
  kernel = k.kernel;
  world = await orgWithProject(kernel);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await k?.close();
});

const CONFIGURED: AssistantConfig = { configured: true, provider: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", model: "scripted", apiKey: null, limits: TEST_LIMITS };

/** A panel's store on the chart builder, as the org's owner, answered by `model`. */
function storeFor(model: ReturnType<typeof scriptedModel>, editor: OpenEditor | null = null, onStatus?: (status: { configured: boolean }) => void) {
  const client = clientAs(kernel, world.owner.id);
  const { fetch } = chatFetch(kernel, { router: testRouter, config: CONFIGURED, model }, world.owner);
  return createAssistantStore({
    orgId: () => world.org.id,
    where: () => ({ projectId: world.project.id, place: "chart.builder", dashboardSlug: null, chartId: null }),
    api: {
      status: (input) => client.assistant.status.query(input),
      listThreads: (input) => client.assistant.threads.list.query(input),
      getThread: (input) => client.assistant.threads.get.query(input),
      renameThread: (input) => client.assistant.threads.rename.mutate(input),
      deleteThread: (input) => client.assistant.threads.delete.mutate(input),
    },
    openEditor: () => editor,
    chatOptions: { fetch },
    onStatus,
  });
}

const idle = (store: ReturnType<typeof storeFor>) => vi.waitFor(() => expect(store.busy()).toBe(false), { timeout: 10_000 });

describe("the assistant store", () => {
  test("starts by asking whether a model is configured (and tells the host), and lists the person's conversations", async () => {
    const told: unknown[] = [];
    const store = storeFor(scriptedModel(() => ({ text: "Hi." })), null, (status) => told.push(status));
    expect(store.status()).toBeNull();
    await store.init();
    expect(store.status()).toEqual({ configured: true, help: null });
    expect(told).toEqual([{ configured: true }]);
    expect(store.threads()).toEqual(expect.any(Array));
    expect(store.suggestions()).toContain("Limit it to the top 10 rows");
  });

  test("sending: the draft clears, the answer streams (busy, a second question is ignored), then the thread is listed", async () => {
    const long = Array.from({ length: 80 }, (_, i) => `word${i}`).join(" ");
    // Slow enough to be seen streaming on a busy machine.
    const model = scriptedModel(() => ({ text: long }), { chunkDelayInMs: 25 });
    const store = storeFor(model);
    await store.init();
    store.setDraft("  Tell me a story  ");
    const sending = store.send(store.draft());
    expect(store.draft()).toBe("");
    expect(store.busy()).toBe(true);
    expect(store.thinking()).toBe(true);
    await vi.waitFor(() => expect(store.chatStatus()).toBe("streaming"), { timeout: 10_000, interval: 5 });
    await store.send("Another question");
    await sending;
    await idle(store);
    expect(model.doStreamCalls).toHaveLength(1);
    const [question, answer] = store.messages();
    expect(textOf(question!)).toBe("Tell me a story");
    expect(textOf(answer!)).toBe(long);
    expect(store.canRetry()).toBe(true);
    expect(store.errorText()).toBeNull();
    await vi.waitFor(() => expect(store.threads()?.map((t) => t.id)).toContain(store.threadId()), { timeout: 10_000 });
  });

  test("Stop keeps what arrived; Retry answers again; Edit replaces the question", async () => {
    let n = 0;
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    const model = scriptedModel(() => (++n === 1 ? { text: long } : { text: `Answer ${n}` }), { chunkDelayInMs: 20 });
    const store = storeFor(model);
    await store.init();
    const sending = store.send("A long one");
    await vi.waitFor(() => expect(textOf(store.messages()[1] ?? { id: "", role: "assistant", parts: [] }).length).toBeGreaterThan(20), { timeout: 10_000, interval: 5 });
    await store.stop();
    await sending;
    expect(store.busy()).toBe(false);
    const kept = textOf(store.messages()[1]!);
    expect(kept.length).toBeLessThan(long.length);

    await store.retry();
    await idle(store);
    expect(store.errorText()).toBeNull();
    expect(store.messages().map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(textOf(store.messages()[1]!)).toBe("Answer 2");

    store.startEdit(store.messages()[0]!);
    expect(store.editing()?.text).toBe("A long one");
    store.setEditText("  A short one  ");
    await store.submitEdit();
    await idle(store);
    expect(store.editing()).toBeNull();
    expect(store.messages().map(textOf)).toEqual(["A short one", "Answer 3"]);
  });

  test("a destructive tool waits for approval; approving runs it and the answer goes on", async () => {
    const sourceId = await savedSourceForTest(kernel, world.org.id);
    const model = scriptedModel((options, call) => {
      if (call === 0) return { toolCalls: [{ name: "delete_data_source", input: { sourceId } }] };
      const result = lastToolResult(options.prompt);
      return { text: result ? "Deleted it." : "Nothing to report." };
    });
    const store = storeFor(model);
    await store.init();
    await store.send("Delete that source");
    await idle(store);
    const pending = store.messages()[1]!.parts.find((p) => p.type.startsWith("tool-")) as { state: string; approval: { id: string } };
    expect(pending.state).toBe("approval-requested");
    expect(model.doStreamCalls).toHaveLength(1);

    await store.approve(pending.approval.id, true);
    await vi.waitFor(() => expect(textOf(store.messages()[1]!)).toContain("Deleted it."), { timeout: 10_000 });
    expect(model.doStreamCalls).toHaveLength(2);
  });

  test("a proposal for the open editor is shown there, and the person's answer goes back", async () => {
    const proposals: string[] = [];
    const editor: OpenEditor = { language: "sql", label: "Chart SQL", getValue: () => "select 1", propose: async (content) => (proposals.push(content), true) };
    const model = scriptedModel((options, call) =>
      call === 0 ? { toolCalls: [{ name: "write_to_editor", input: { content: "select 2", note: "Two" } }] } : { text: lastToolResult(options.prompt) ? "Accepted, thanks." : "?" },
    );
    const store = storeFor(model, editor);
    await store.init();
    await store.send("Change it");
    await vi.waitFor(() => expect(textOf(store.messages()[1]!)).toContain("Accepted, thanks."), { timeout: 10_000 });
    expect(proposals).toEqual(["select 2"]);
  });

  test("conversations: opened, renamed, started anew and deleted", async () => {
    const store = storeFor(scriptedModel(() => ({ text: "Kept." })));
    await store.init();
    await store.send("Remember this");
    await idle(store);
    const id = store.threadId()!;
    await vi.waitFor(() => expect(store.threads()?.map((t) => t.id)).toContain(id), { timeout: 10_000 });

    await store.newConversation();
    expect(store.messages()).toEqual([]);
    expect(store.threadId()).toBeNull();

    const item = store.threads()!.find((t) => t.id === id)!;
    store.toggleThreads();
    expect(store.showThreads()).toBe(true);
    await store.openThread(item);
    expect(store.showThreads()).toBe(false);
    expect(store.threadId()).toBe(id);
    expect(store.messages().map(textOf)).toEqual(["Remember this", "Kept."]);

    store.setRenaming(item);
    await store.renameThread("Renamed");
    expect(store.threads()!.find((t) => t.id === id)?.title).toBe("Renamed");

    store.setDeleting(item);
    await store.deleteThread();
    expect(store.threads()!.map((t) => t.id)).not.toContain(id);
    expect(store.messages()).toEqual([]);
  });
});
