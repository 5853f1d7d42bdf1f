/**
 * The assistant panel (slot `workspace.assistant`): a conversation about what is open, streamed
 * as it is written, with tool calls shown as they happen, Stop, Retry, Edit and resend,
 * confirmation for destructive tools, and proposals into the open editor. Conversations are
 * kept per person and project (list, open, rename, delete). Without a configured model it says
 * how to configure one, and nothing else. The state lives in `assistant-store.ts`.
 */
import { For, Match, onCleanup, onMount, Show, Switch, untrack } from "solid-js";
import { Button } from "~/ui/components";
import { openEditor } from "~/ui/editor-bridge";
import type { SlotProps } from "~/ui/plugin-ui";
import { trpc } from "~/ui/trpc";
import { useFirstAnswers } from "~/ui/first-answers";
import { useCurrentOrg } from "~/ui/workspace";
import { createAssistantStore, type AssistantDependencies, type AssistantStore } from "./assistant-store";
import { MessageLog } from "./MessageLog";
import { ThreadDialogs, ThreadList } from "./Threads";
import "./assistant.css";

type Props = SlotProps["workspace.assistant"];

export default function AssistantPanel(props: Props) {
  // A page outside /o/:org (a dashboard shared with the person) names its org; others are in one.
  // The host keeps the org for the panel's life (a page elsewhere mounts a new panel).
  // eslint-disable-next-line solid/reactivity
  const org = props.orgId ? null : useCurrentOrg();
  const orgId = () => props.orgId ?? org!().id;
  // On a server-rendered page (the org home), whether a model is configured comes with it (the
  // slot's `boot`); read once, as the panel starts.
  const first = untrack(() => useFirstAnswers()("assistant.status", { orgId: orgId() })?.result as AssistantDependencies["initialStatus"]);
  const store = createAssistantStore({
    orgId,
    initialStatus: first ?? null,
    where: () => props,
    api: {
      status: (input) => trpc.assistant.status.query(input),
      listThreads: (input) => trpc.assistant.threads.list.query(input),
      getThread: (input) => trpc.assistant.threads.get.query(input),
      renameThread: (input) => trpc.assistant.threads.rename.mutate(input),
      deleteThread: (input) => trpc.assistant.threads.delete.mutate(input),
    },
    openEditor,
    onStatus: (status) => props.onStatus?.(status),
  });
  onMount(() => void store.init());
  onCleanup(store.dispose);
  const isHome = () => props.place === "org.home";

  return (
    <section class="assistant" classList={{ "assistant--home": isHome() }} aria-labelledby="assistant-title">
      <header class="assistant__header">
        <h2 id="assistant-title" class="assistant__title">
          {isHome() ? "Ask about your dashboards and data" : "Assistant"}
        </h2>
        <Show when={store.status()?.configured}>
          <div class="inline-actions">
            <Button variant="ghost" class="btn--compact" aria-expanded={store.showThreads()} aria-controls="assistant-threads" onClick={store.toggleThreads}>
              Conversations
            </Button>
            <Button variant="ghost" class="btn--compact" onClick={() => void store.newConversation()} disabled={store.messages().length === 0 && !store.threadId()}>
              New
            </Button>
          </div>
        </Show>
      </header>

      <Switch fallback={<p class="muted" role="status">Loading the assistant…</p>}>
        <Match when={store.statusError()}>
          <p class="inline-error" role="alert">
            {store.statusError()}
          </p>
        </Match>
        <Match when={store.status() && !store.status()!.configured}>
          <div class="notice notice--info assistant__setup" role="note">
            <p class="notice__title">The assistant is not set up yet</p>
            <p>{store.status()!.help}</p>
            <pre class="code">{"AI_BASE_URL=http://localhost:11434/v1\nAI_MODEL=llama3.1\nAI_API_KEY=…   # if the server needs one"}</pre>
          </div>
        </Match>
        <Match when={store.status()?.configured}>
          <Show when={store.showThreads()}>
            <ThreadList store={store} />
          </Show>
          <MessageLog store={store} />
          <Show when={store.errorText()}>
            <div class="alert assistant__error" role="alert">
              <p>{store.errorText()}</p>
              <Show when={store.messages().length > 0}>
                <Button class="btn--compact" onClick={() => void store.retry()}>
                  Retry
                </Button>
              </Show>
            </div>
          </Show>
          <Show when={store.messages().length === 0}>
            <div class="assistant__suggestions">
              <p class="muted">Try asking:</p>
              <ul class="chips" aria-label="Suggested questions">
                <For each={store.suggestions()}>
                  {(question) => (
                    <li>
                      <button type="button" class="chip assistant__suggestion" onClick={() => void store.send(question)}>
                        {question}
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          </Show>
          <Composer store={store} place={props.place} />
          <ThreadDialogs store={store} />
        </Match>
      </Switch>
    </section>
  );
}

/** Where the question is written: Enter sends, Shift+Enter breaks the line; Stop while it answers. */
function Composer(props: { store: AssistantStore; place: Props["place"] }) {
  const store = () => props.store;
  const isHome = () => props.place === "org.home";
  return (
    <form
      class="assistant__composer"
      onSubmit={(event) => {
        event.preventDefault();
        void store().send(store().draft());
      }}
    >
      <label class="visually-hidden" for={`assistant-input-${props.place}`}>
        Ask the assistant
      </label>
      <textarea
        id={`assistant-input-${props.place}`}
        class="textarea assistant__input"
        rows={isHome() ? 3 : 2}
        placeholder={isHome() ? "Ask anything about your dashboards and data…" : "Ask about what is open…"}
        value={store().draft()}
        onInput={(e) => store().setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void store().send(store().draft());
          }
        }}
      />
      <div class="assistant__composer-actions">
        <span class="muted assistant__hint">Enter to send · Shift+Enter for a new line</span>
        <Show
          when={store().busy()}
          fallback={
            <Button type="submit" variant="primary" class="btn--compact" disabled={!store().draft().trim()}>
              Send
            </Button>
          }
        >
          <Button class="btn--compact" onClick={() => void store().stop()}>
            Stop
          </Button>
        </Show>
        <Show when={store().canRetry()}>
          <Button variant="ghost" class="btn--compact" onClick={() => void store().retry()}>
            Retry
          </Button>
        </Show>
      </div>
    </form>
  );
}
