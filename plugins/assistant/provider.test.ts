/**
 * Through the real provider code: the configured model (`@ai-sdk/openai-compatible`, from the
 * AI_* variables) against a local server speaking the OpenAI chat-completions stream format,
 * which scripts tool calls. Proves the request the server gets (model, key, tools as JSON
 * Schema, stream with usage), a tool loop end to end, usage counted, and the server's errors
 * turned into messages a person can act on.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isToolUIPart } from "ai";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser, testRouter } from "../../tests/setup/fixtures";
import { assistantConfigFromEnv, AssistantConfigError } from "./config";
import { startTestOpenAiServer, type TestOpenAiServer } from "./test-openai-server";
import { chatFetch, orgWithProject } from "./test-helpers";
import { AssistantChat, type AssistantMessage } from "./ui/chat-client";

let world: Awaited<ReturnType<typeof orgWithProject>>;
let server: TestOpenAiServer;

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  world = await orgWithProject(kernel);
  server = await startTestOpenAiServer();
});
afterAll(async () => {
  await server?.close();
});

function chat(env: Record<string, string>) {
  const { kernel } = booted;
  const config = assistantConfigFromEnv({ AI_BASE_URL: server.baseUrl, AI_MODEL: "test-model", ...env });
  const { fetch } = chatFetch(kernel, { router: testRouter, config }, world.owner);
  return new AssistantChat({ scope: () => ({ orgId: world.org.id, projectId: world.project.id, place: "org.home" }), fetch });
}

const textOf = (m: AssistantMessage | undefined) => (m?.parts ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");

describe("an OpenAI-compatible server", () => {
  test("gets the model, the key, the tools and a streamed request; its tool call runs and its answer streams back", async () => {
    const { kernel } = booted;
    await asUser(kernel, world.owner.id).example.notes.add({ orgId: world.org.id, body: "Churn fell in March" });
    server.requests.length = 0;
    server.respondWith((req) => {
      if (!req.lastToolResult) return { toolCalls: [{ name: "list_notes", arguments: {} }], usage: { prompt_tokens: 300, completion_tokens: 12 } };
      const notes = (req.lastToolResult.content as { result: Array<{ body: string }> }).result;
      return { text: `Your latest note: ${notes[0]!.body}.`, usage: { prompt_tokens: 400, completion_tokens: 9 } };
    });
    const conversation = chat({ AI_API_KEY: "sk-test-key-for-the-provider-0000" });
    await conversation.sendMessage({ text: "What is my latest note?" });

    expect(conversation.status).toBe("ready");
    expect(textOf(conversation.messages[1])).toBe("Your latest note: Churn fell in March.");
    expect(conversation.messages[1]!.parts.filter(isToolUIPart).map((p) => p.state)).toEqual(["output-available"]);

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]!;
    expect(first.body.model).toBe("test-model");
    expect(first.body.stream).toBe(true);
    expect(first.body.stream_options).toEqual({ include_usage: true });
    expect(first.headers.authorization).toBe("Bearer sk-test-key-for-the-provider-0000");
    const listNotes = first.body.tools!.find((t) => t.function.name === "list_notes")!;
    expect(listNotes.function.parameters).toMatchObject({ type: "object" });
    expect(first.system).toContain("You are the assistant inside Atrium");
    // The key is a credential for the provider only: never in a prompt.
    expect(JSON.stringify(first.body.messages)).not.toContain("sk-test-key");

    // Usage from the server's final chunks counts against the person's day.
    const status = await asUser(kernel, world.owner.id).assistant.status({ orgId: world.org.id });
    expect(status.usedTokensToday).toBe(300 + 12 + 400 + 9);
  });

  test("a refused key, an unknown model and a dropped stream become messages a person can act on", async () => {
    server.respondWith(() => ({ status: 401, errorMessage: "Incorrect API key provided" }));
    let conversation = chat({ AI_API_KEY: "wrong" });
    await conversation.sendMessage({ text: "hi" });
    expect(conversation.status).toBe("error");
    expect(conversation.error?.message).toBe("The model server refused Atrium's credentials (check AI_API_KEY).");

    server.respondWith(() => ({ status: 404, errorMessage: "model not found" }));
    conversation = chat({});
    await conversation.sendMessage({ text: "hi" });
    expect(conversation.error?.message).toBe("The model server does not know this model (check AI_MODEL).");

    server.respondWith(() => ({ text: "this answer will be cut off in the middle", dropAfterChunks: 3 }));
    conversation = chat({});
    await conversation.sendMessage({ text: "hi" });
    expect(conversation.status).toBe("error");
    expect(conversation.error?.message).not.toMatch(/at |node_modules|stack/);
  });

  test("an unreachable server is named as such", async () => {
    const { kernel } = booted;
    const config = assistantConfigFromEnv({ AI_BASE_URL: "http://127.0.0.1:9/v1", AI_MODEL: "m" });
    const { fetch } = chatFetch(kernel, { router: testRouter, config }, world.owner);
    const conversation = new AssistantChat({ scope: () => ({ orgId: world.org.id, projectId: null, place: "org.home" }), fetch });
    await conversation.sendMessage({ text: "hi" });
    expect(conversation.status).toBe("error");
    expect(conversation.error?.message).toContain("check AI_BASE_URL");
  });
});

describe("configuration", () => {
  test("nothing set: not configured; a partial or bad set stops with the variable's name", () => {
    expect(assistantConfigFromEnv({}).configured).toBe(false);
    expect(assistantConfigFromEnv({ AI_MODEL: "  " }).configured).toBe(false);
    expect(() => assistantConfigFromEnv({ AI_MODEL: "llama3.1" })).toThrow(/AI_BASE_URL: is required/);
    expect(() => assistantConfigFromEnv({ AI_BASE_URL: "http://localhost:11434/v1" })).toThrow(/AI_MODEL: is required/);
    expect(() => assistantConfigFromEnv({ AI_BASE_URL: "ftp://x", AI_MODEL: "m" })).toThrow(AssistantConfigError);
    expect(() => assistantConfigFromEnv({ AI_PROVIDER: "acme", AI_MODEL: "m" })).toThrow(/AI_PROVIDER: must be one of: openai-compatible, gateway/);
    expect(() => assistantConfigFromEnv({ AI_BASE_URL: "http://x/v1", AI_MODEL: "m", AI_DAILY_TOKENS: "ten" })).toThrow(/AI_DAILY_TOKENS/);
    const ok = assistantConfigFromEnv({ AI_BASE_URL: "http://localhost:11434/v1/", AI_MODEL: "llama3.1", AI_RATE_LIMIT: "5" });
    expect(ok).toMatchObject({ configured: true, provider: "openai-compatible", baseUrl: "http://localhost:11434/v1", model: "llama3.1", apiKey: null, limits: { ratePerMinute: 5 } });
  });

  test("the error message never repeats the key", () => {
    try {
      assistantConfigFromEnv({ AI_PROVIDER: "gateway", AI_API_KEY: "sk-secret-value", AI_BASE_URL: "not a url" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain("sk-secret-value");
      expect((err as Error).message).toContain("AI_BASE_URL");
    }
  });
});
