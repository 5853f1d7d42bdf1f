/**
 * The assistant panel's state, without a page: whether a model is configured, the conversation
 * (the AI SDK's chat, loaded on the first question or opened conversation), sending, the
 * streaming state, Stop, Retry, Edit and resend, approving a destructive tool, and the saved
 * conversations (list, open, rename, delete, new). Plain signals and functions, so the logic
 * runs (and is tested) without a browser.
 */
import { createSignal } from "solid-js";
import type { SlotProps } from "~/ui/plugin-ui";
import type * as ChatClientModule from "./chat-client";
import type { AssistantChat, AssistantChatOptions, AssistantMessage, AssistantRequestError, ChatScope } from "./chat-client";

export type AssistantPlace = SlotProps["workspace.assistant"]["place"];

export const SUGGESTIONS: Record<AssistantPlace, string[]> = {
  "org.home": ["Which dashboards changed recently?", "What data do we have?", "Find dashboards about revenue"],
  "dashboard.view": ["Summarize this dashboard", "Which queries does it run?", "What could I add to it?"],
  "dashboard.edit": ["Explain this YAML", "Add a KPI chart for total revenue", "Check it for mistakes"],
  "chart.builder": ["Explain this query", "Limit it to the top 10 rows", "Which tables could I use?"],
};

export interface ThreadItem {
  id: string;
  title: string;
  updatedAt: string;
}

/** The editor open on the page, as the editor bridge gives it. */
export interface OpenEditor {
  language: "yaml" | "sql";
  label: string;
  getValue(): string;
  propose(content: string, note: string | undefined): Promise<boolean>;
}

export interface AssistantDependencies {
  orgId: () => string;
  /** Where the panel is (slot props). */
  where: () => SlotProps["workspace.assistant"];
  api: {
    status(input: { orgId: string }): Promise<{ configured: boolean; help: string | null }>;
    listThreads(input: { orgId: string; projectId: string | null }): Promise<{ items: ThreadItem[] }>;
    getThread(input: { orgId: string; threadId: string }): Promise<{ messages: unknown[] }>;
    renameThread(input: { orgId: string; threadId: string; title: string }): Promise<unknown>;
    deleteThread(input: { orgId: string; threadId: string }): Promise<unknown>;
  };
  openEditor: () => OpenEditor | null;
  /** Told once it is known whether a model is configured (the host may fold the panel away). */
  onStatus?: (status: { configured: boolean }) => void;
  /** The status a server-rendered page's HTML brought, shown until `init` asks (and is told the same). */
  initialStatus?: { configured: boolean; help: string | null } | null;
  /** The AI SDK's client; loaded on the first question, not with the page. */
  loadChat?: () => Promise<typeof ChatClientModule>;
  /** For tests: where the chat's requests go. */
  chatOptions?: Pick<AssistantChatOptions, "baseUrl" | "fetch">;
}

export type AssistantStore = ReturnType<typeof createAssistantStore>;

export function textOf(message: AssistantMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

export function createAssistantStore(deps: AssistantDependencies) {
  const loadChat = deps.loadChat ?? (() => import("./chat-client"));
  // The chat is a plain object that says when it changed; reading `version` makes readers of
  // its state re-run then.
  const [version, bump] = createSignal<void>(undefined, { equals: false });
  const [status, setStatus] = createSignal<{ configured: boolean; help: string | null } | null>(deps.initialStatus ?? null);
  const [statusError, setStatusError] = createSignal<string | null>(null);
  const [threads, setThreads] = createSignal<ThreadItem[] | null>(null);
  const [showThreads, setShowThreads] = createSignal(false);
  // A host may hand the panel a question to start from; the person reads it and sends it.
  const [draft, setDraft] = createSignal(deps.where().prompt ?? "");
  const [editing, setEditing] = createSignal<{ id: string; text: string } | null>(null);
  const [renaming, setRenaming] = createSignal<ThreadItem | null>(null);
  const [deleting, setDeleting] = createSignal<ThreadItem | null>(null);
  const [threadError, setThreadError] = createSignal<string | null>(null);
  const [opening, setOpening] = createSignal(false);
  const [loadError, setLoadError] = createSignal<string | null>(null);

  const scope = (): ChatScope => {
    const editor = deps.openEditor();
    const where = deps.where();
    return {
      orgId: deps.orgId(),
      projectId: where.projectId,
      place: where.place,
      dashboardSlug: where.dashboardSlug ?? null,
      chartId: where.chartId ?? null,
      editor: editor ? { language: editor.language, label: editor.label, value: editor.getValue() } : null,
    };
  };

  let chat: AssistantChat | null = null;
  let loadingChat: Promise<AssistantChat> | null = null;
  const ensureChat = (): Promise<AssistantChat> =>
    (loadingChat ??= (setOpening(true), loadChat()).then(({ AssistantChat }) => {
      chat = new AssistantChat({
        ...deps.chatOptions,
        scope,
        onChange: () => bump(undefined),
        onThread: () => void loadThreads(),
        proposeEdit: async (content, note) => {
          const editor = deps.openEditor();
          return editor ? editor.propose(content, note) : null;
        },
      });
      setOpening(false);
      bump(undefined);
      return chat;
    }));
  /** Runs `fn` on the chat once it is loaded; a failed load says so. */
  const withChat = (fn: (c: AssistantChat) => unknown): Promise<void> =>
    ensureChat().then(
      async (c) => void (await fn(c)),
      () => {
        loadingChat = null;
        setOpening(false);
        setLoadError("The assistant could not load. Check your connection and try again.");
      },
    );

  const messages = (): AssistantMessage[] => (version(), chat?.messages ?? []);
  const chatStatus = () => (version(), chat?.status ?? "ready");
  const chatError = () => (version(), chat?.error);
  const busy = () => opening() || chatStatus() === "submitted" || chatStatus() === "streaming";
  const threadId = () => (version(), chat?.threadId ?? null);

  async function loadThreads() {
    try {
      const result = await deps.api.listThreads({ orgId: deps.orgId(), projectId: deps.where().projectId });
      setThreads(result.items);
    } catch {
      setThreads([]);
    }
  }

  /** What went wrong with the last question, if anything. */
  const errorText = () => {
    const error = chatError();
    if (!error) return loadError();
    if ((error as AssistantRequestError).code === "NOT_CONFIGURED") return error.message;
    return error.message || "The assistant could not answer.";
  };

  return {
    status,
    statusError,
    threads,
    showThreads,
    toggleThreads: () => setShowThreads(!showThreads()),
    draft,
    setDraft,
    editing,
    renaming,
    setRenaming,
    deleting,
    setDeleting,
    threadError,
    opening,
    messages,
    chatStatus,
    busy,
    threadId,
    errorText,
    suggestions: () => SUGGESTIONS[deps.where().place],
    /** Thinking: the question is sent and nothing of the answer has arrived yet. */
    thinking: () => opening() || chatStatus() === "submitted",
    /** Retry beside Send: the last answer finished without an error. */
    canRetry: () => !busy() && messages().some((m) => m.role === "assistant") && !errorText(),

    /** Asks whether a model is configured; lists the conversations when one is. */
    async init() {
      try {
        const s = await deps.api.status({ orgId: deps.orgId() });
        setStatus({ configured: s.configured, help: s.help });
        deps.onStatus?.({ configured: s.configured });
        if (s.configured) await loadThreads();
      } catch (err) {
        setStatusError((err as Error).message || "The assistant could not be reached.");
      }
    },

    /** Sends a question (ignored while an answer streams). */
    send(text: string): Promise<void> {
      const question = text.trim();
      if (!question || busy()) return Promise.resolve();
      setDraft("");
      setLoadError(null);
      return withChat((c) => c.sendMessage({ text: question }));
    },
    stop: () => chat?.stop() ?? Promise.resolve(),
    retry: () => withChat((c) => c.regenerate()),
    approve: (id: string, approved: boolean) => withChat((c) => c.addToolApprovalResponse({ id, approved })),

    startEdit: (message: AssistantMessage) => setEditing({ id: message.id, text: textOf(message) }),
    setEditText: (text: string) => setEditing((e) => (e ? { ...e, text } : e)),
    cancelEdit: () => setEditing(null),
    /** Sends the edited question in place of the old one (the answers after it go). */
    submitEdit(): Promise<void> {
      const e = editing();
      if (!e || !e.text.trim()) return Promise.resolve();
      setEditing(null);
      return withChat((c) => c.sendMessage({ text: e.text.trim(), messageId: e.id }));
    },

    async openThread(item: ThreadItem) {
      setThreadError(null);
      try {
        const { messages: stored } = await deps.api.getThread({ orgId: deps.orgId(), threadId: item.id });
        const c = await ensureChat();
        await c.stop();
        c.load(item.id, stored as AssistantMessage[]);
        setShowThreads(false);
      } catch (err) {
        setThreadError((err as Error).message);
      }
    },
    async newConversation() {
      await chat?.stop();
      chat?.load(null, []);
      setEditing(null);
      setShowThreads(false);
    },
    async renameThread(title: string) {
      await deps.api.renameThread({ orgId: deps.orgId(), threadId: renaming()!.id, title });
      await loadThreads();
    },
    async deleteThread() {
      const item = deleting()!;
      await deps.api.deleteThread({ orgId: deps.orgId(), threadId: item.id });
      if (chat?.threadId === item.id) chat.load(null, []);
      await loadThreads();
    },
    dispose: () => void chat?.stop(),
  };
}
