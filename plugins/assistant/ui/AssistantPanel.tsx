/**
 * The assistant panel (slot `workspace.assistant`): a conversation about what is open, streamed
 * as it is written, with tool calls shown as they happen, Stop, Retry, Edit and resend,
 * confirmation for destructive tools, and proposals into the open editor. Conversations are
 * kept per person and project (list, open, rename, delete). Without a configured model it says
 * how to configure one, and nothing else.
 */
import { createSignal, For, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { Button, ConfirmDialog, createForm, Dialog, FormAlert, SubmitButton, TextField } from "~/ui/components";
import { openEditor } from "~/ui/editor-bridge";
import type { SlotProps } from "~/ui/plugin-ui";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import type { AssistantChat, AssistantMessage, AssistantRequestError, ChatScope } from "./chat-client";
import { Markdown } from "./Markdown";
import { isToolPart } from "./parts";
import { ToolCall } from "./ToolCall";
import "./assistant.css";

type Props = SlotProps["workspace.assistant"];

const SUGGESTIONS: Record<Props["place"], string[]> = {
  "org.home": ["Which dashboards changed recently?", "What data do we have?", "Find dashboards about revenue"],
  "dashboard.view": ["Summarize this dashboard", "Which queries does it run?", "What could I add to it?"],
  "dashboard.edit": ["Explain this YAML", "Add a KPI chart for total revenue", "Check it for mistakes"],
  "chart.builder": ["Explain this query", "Limit it to the top 10 rows", "Which tables could I use?"],
};

interface ThreadItem {
  id: string;
  title: string;
  updatedAt: string;
}

function textOf(message: AssistantMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

function RenameDialog(props: { item: ThreadItem | null; onClose: () => void; rename: (title: string) => Promise<void> }) {
  const form = createForm({
    action: async (data) => {
      await props.rename(String(data.get("title") ?? ""));
      form.clear();
      props.onClose();
    },
  });
  const close = () => {
    if (form.pending()) return;
    form.clear();
    props.onClose();
  };
  return (
    <Dialog open={!!props.item} onClose={close} title="Rename conversation" description="Give this conversation a name you will recognize.">
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField form={form} name="title" label="Name" required="Give the conversation a name" value={props.item?.title ?? ""} maxLength={120} />
        <FormAlert form={form} />
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel="Renaming…">
            Rename
          </SubmitButton>
          <Button onClick={close} disabled={form.pending()}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export default function AssistantPanel(props: Props) {
  const org = useCurrentOrg();
  const [version, bump] = createSignal<void>(undefined, { equals: false });
  const [status, setStatus] = createSignal<{ configured: boolean; help: string | null } | null>(null);
  const [statusError, setStatusError] = createSignal<string | null>(null);
  const [threads, setThreads] = createSignal<ThreadItem[] | null>(null);
  const [showThreads, setShowThreads] = createSignal(false);
  const [draft, setDraft] = createSignal("");
  const [editing, setEditing] = createSignal<{ id: string; text: string } | null>(null);
  const [renaming, setRenaming] = createSignal<ThreadItem | null>(null);
  const [deleting, setDeleting] = createSignal<ThreadItem | null>(null);
  const [threadError, setThreadError] = createSignal<string | null>(null);

  const scope = (): ChatScope => {
    const editor = openEditor();
    return {
      orgId: org().id,
      projectId: props.projectId,
      place: props.place,
      dashboardSlug: props.dashboardSlug ?? null,
      chartId: props.chartId ?? null,
      editor: editor ? { language: editor.language, label: editor.label, value: editor.getValue() } : null,
    };
  };

  // The AI SDK's client (and its schemas) load on the first question or opened conversation,
  // not with the page.
  let chat: AssistantChat | null = null;
  let loadingChat: Promise<AssistantChat> | null = null;
  const [opening, setOpening] = createSignal(false);
  const ensureChat = (): Promise<AssistantChat> =>
    (loadingChat ??= (setOpening(true), import("./chat-client")).then(({ AssistantChat }) => {
      chat = new AssistantChat({
        scope,
        onChange: () => bump(undefined),
        onThread: () => void loadThreads(),
        proposeEdit: async (content, note) => {
          const editor = openEditor();
          return editor ? editor.propose(content, note) : null;
        },
      });
      setOpening(false);
      bump(undefined);
      return chat;
    }));
  onCleanup(() => void chat?.stop());

  const messages = (): AssistantMessage[] => (version(), chat?.messages ?? []);
  const chatStatus = () => (version(), chat?.status ?? "ready");
  const chatError = () => (version(), chat?.error);
  const busy = () => opening() || chatStatus() === "submitted" || chatStatus() === "streaming";
  const threadId = () => (version(), chat?.threadId ?? null);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const withChat = (fn: (c: AssistantChat) => unknown) =>
    void ensureChat().then(fn, () => {
      loadingChat = null;
      setOpening(false);
      setLoadError("The assistant could not load. Check your connection and try again.");
    });

  async function loadThreads() {
    try {
      const result = await trpc.assistant.threads.list.query({ orgId: org().id, projectId: props.projectId });
      setThreads(result.items);
    } catch {
      setThreads([]);
    }
  }

  onMount(async () => {
    try {
      const s = await trpc.assistant.status.query({ orgId: org().id });
      setStatus({ configured: s.configured, help: s.help });
      if (s.configured) void loadThreads();
    } catch (err) {
      setStatusError((err as Error).message || "The assistant could not be reached.");
    }
  });

  const send = (text: string) => {
    const question = text.trim();
    if (!question || busy()) return;
    setDraft("");
    setLoadError(null);
    withChat((c) => c.sendMessage({ text: question }));
  };

  const openThread = async (item: ThreadItem) => {
    setThreadError(null);
    try {
      const { messages: stored } = await trpc.assistant.threads.get.query({ orgId: org().id, threadId: item.id });
      const c = await ensureChat();
      await c.stop();
      c.load(item.id, stored as AssistantMessage[]);
      setShowThreads(false);
    } catch (err) {
      setThreadError((err as Error).message);
    }
  };

  const newConversation = async () => {
    await chat?.stop();
    chat?.load(null, []);
    setEditing(null);
    setShowThreads(false);
  };

  const renameThread = async (title: string) => {
    await trpc.assistant.threads.rename.mutate({ orgId: org().id, threadId: renaming()!.id, title });
    await loadThreads();
  };

  const deleteThread = async () => {
    const item = deleting()!;
    await trpc.assistant.threads.delete.mutate({ orgId: org().id, threadId: item.id });
    if (chat?.threadId === item.id) chat.load(null, []);
    await loadThreads();
  };

  const errorText = () => {
    const error = chatError();
    if (!error) return loadError();
    if ((error as AssistantRequestError).code === "NOT_CONFIGURED") return error.message;
    return error.message || "The assistant could not answer.";
  };

  let composer: HTMLTextAreaElement | undefined;
  const isHome = () => props.place === "org.home";

  return (
    <section class="assistant" classList={{ "assistant--home": isHome() }} aria-labelledby="assistant-title">
      <header class="assistant__header">
        <h2 id="assistant-title" class="assistant__title">
          {isHome() ? "Ask about your dashboards and data" : "Assistant"}
        </h2>
        <Show when={status()?.configured}>
          <div class="inline-actions">
            <Button variant="ghost" class="btn--compact" aria-expanded={showThreads()} aria-controls="assistant-threads" onClick={() => setShowThreads(!showThreads())}>
              Conversations
            </Button>
            <Button variant="ghost" class="btn--compact" onClick={() => void newConversation()} disabled={messages().length === 0 && !threadId()}>
              New
            </Button>
          </div>
        </Show>
      </header>

      <Switch fallback={<p class="muted" role="status">Loading the assistant…</p>}>
        <Match when={statusError()}>
          <p class="inline-error" role="alert">
            {statusError()}
          </p>
        </Match>
        <Match when={status() && !status()!.configured}>
          <div class="notice notice--info assistant__setup" role="note">
            <p class="notice__title">The assistant is not set up yet</p>
            <p>{status()!.help}</p>
            <pre class="code">{"AI_BASE_URL=http://localhost:11434/v1\nAI_MODEL=llama3.1\nAI_API_KEY=…   # if the server needs one"}</pre>
          </div>
        </Match>
        <Match when={status()?.configured}>
          <Show when={showThreads()}>
            <div id="assistant-threads" class="assistant__threads">
              <Show when={threadError()}>
                <p class="inline-error" role="alert">
                  {threadError()}
                </p>
              </Show>
              <Show when={threads()?.length} fallback={<p class="muted">No saved conversations here yet.</p>}>
                <ul class="assistant__thread-list" aria-label="Conversations">
                  <For each={threads()}>
                    {(item) => (
                      <li class="assistant__thread" classList={{ "assistant__thread--current": item.id === threadId() }}>
                        <button type="button" class="link assistant__thread-open" aria-current={item.id === threadId() ? "true" : undefined} onClick={() => void openThread(item)}>
                          {item.title}
                        </button>
                        <span class="inline-actions">
                          <Button variant="ghost" class="btn--compact" aria-label={`Rename “${item.title}”`} onClick={() => setRenaming(item)}>
                            Rename
                          </Button>
                          <Button variant="ghost" class="btn--compact" aria-label={`Delete “${item.title}”`} onClick={() => setDeleting(item)}>
                            Delete
                          </Button>
                        </span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </div>
          </Show>

          <div class="assistant__log" role="log" aria-live="polite" aria-label="Conversation" aria-busy={busy()}>
            <For each={messages()}>
              {(message, index) => (
                <div class={`assistant-msg assistant-msg--${message.role}`} data-role={message.role}>
                  <Show
                    when={message.role === "user"}
                    fallback={
                      <For each={message.parts}>
                        {(part) => (
                          <Switch>
                            <Match when={part.type === "text" && (part as { text: string }).text}>
                              <Markdown text={(part as { text: string }).text} />
                            </Match>
                            <Match when={isToolPart(part)}>
                              <ToolCall part={part as never} onApprove={(id, approved) => withChat((c) => c.addToolApprovalResponse({ id, approved }))} />
                            </Match>
                          </Switch>
                        )}
                      </For>
                    }
                  >
                    <Show
                      when={editing()?.id === message.id}
                      fallback={
                        <>
                          <p class="assistant-msg__text">{textOf(message)}</p>
                          <Show when={!busy()}>
                            <Button variant="ghost" class="btn--compact assistant-msg__edit" aria-label="Edit this question" onClick={() => setEditing({ id: message.id, text: textOf(message) })}>
                              Edit
                            </Button>
                          </Show>
                        </>
                      }
                    >
                      <form
                        class="assistant__edit"
                        onSubmit={(event) => {
                          event.preventDefault();
                          const e = editing();
                          if (!e || !e.text.trim()) return;
                          setEditing(null);
                          withChat((c) => c.sendMessage({ text: e.text.trim(), messageId: e.id }));
                        }}
                      >
                        <label class="visually-hidden" for={`assistant-edit-${index()}`}>
                          Edit your question
                        </label>
                        <textarea id={`assistant-edit-${index()}`} class="textarea" rows={3} value={editing()!.text} onInput={(e) => setEditing({ id: message.id, text: e.currentTarget.value })} />
                        <div class="inline-actions">
                          <Button type="submit" variant="primary" class="btn--compact">
                            Send again
                          </Button>
                          <Button class="btn--compact" onClick={() => setEditing(null)}>
                            Cancel
                          </Button>
                        </div>
                      </form>
                    </Show>
                  </Show>
                </div>
              )}
            </For>
            <Show when={opening() || chatStatus() === "submitted"}>
              <p class="muted assistant__thinking" role="status">
                Thinking…
              </p>
            </Show>
          </div>

          <Show when={errorText()}>
            <div class="alert assistant__error" role="alert">
              <p>{errorText()}</p>
              <Show when={messages().length > 0}>
                <Button class="btn--compact" onClick={() => withChat((c) => c.regenerate())}>
                  Retry
                </Button>
              </Show>
            </div>
          </Show>

          <Show when={messages().length === 0}>
            <div class="assistant__suggestions">
              <p class="muted">Try asking:</p>
              <ul class="chips" aria-label="Suggested questions">
                <For each={SUGGESTIONS[props.place]}>
                  {(question) => (
                    <li>
                      <button type="button" class="chip assistant__suggestion" onClick={() => send(question)}>
                        {question}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          </Show>

          <form
            class="assistant__composer"
            onSubmit={(event) => {
              event.preventDefault();
              send(draft());
            }}
          >
            <label class="visually-hidden" for={`assistant-input-${props.place}`}>
              Ask the assistant
            </label>
            <textarea
              id={`assistant-input-${props.place}`}
              ref={composer}
              class="textarea assistant__input"
              rows={isHome() ? 3 : 2}
              placeholder={isHome() ? "Ask anything about your dashboards and data…" : "Ask about what is open…"}
              value={draft()}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  send(draft());
                }
              }}
            />
            <div class="assistant__composer-actions">
              <span class="muted assistant__hint">Enter to send · Shift+Enter for a new line</span>
              <Show
                when={busy()}
                fallback={
                  <Button type="submit" variant="primary" class="btn--compact" disabled={!draft().trim()}>
                    Send
                  </Button>
                }
              >
                <Button class="btn--compact" onClick={() => void chat?.stop()}>
                  Stop
                </Button>
              </Show>
              <Show when={!busy() && messages().some((m) => m.role === "assistant") && !errorText()}>
                <Button variant="ghost" class="btn--compact" onClick={() => withChat((c) => c.regenerate())}>
                  Retry
                </Button>
              </Show>
            </div>
          </form>

          <RenameDialog
            item={renaming()}
            onClose={() => setRenaming(null)}
            rename={renameThread}
          />
          <ConfirmDialog
            open={!!deleting()}
            onClose={() => setDeleting(null)}
            title="Delete conversation"
            description={<>“{deleting()?.title}” and its messages will be deleted for good.</>}
            confirmLabel="Delete conversation"
            pendingLabel="Deleting…"
            tone="danger"
            confirm={deleteThread}
          />
        </Match>
      </Switch>
    </section>
  );
}
