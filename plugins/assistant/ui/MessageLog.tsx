/** The conversation: questions (with Edit and resend), answers as they stream, tool calls, and "Thinking…". */
import { For, Match, Show, Switch } from "solid-js";
import { Button } from "~/ui/components";
import { textOf, type AssistantStore } from "./assistant-store";
import type { AssistantMessage } from "./chat-client";
import { Markdown } from "./Markdown";
import { isToolPart } from "./parts";
import { ToolCall } from "./ToolCall";

export function MessageLog(props: { store: AssistantStore }) {
  const store = () => props.store;
  return (
    <div class="assistant__log" role="log" aria-live="polite" aria-label="Conversation" aria-busy={store().busy()}>
      <For each={store().messages()}>
        {(message, index) => (
          <div class={`assistant-msg assistant-msg--${message.role}`} data-role={message.role}>
            <Show when={message.role === "user"} fallback={<AnswerParts store={store()} message={message} />}>
              <Show
                when={store().editing()?.id === message.id}
                fallback={
                  <>
                    <p class="assistant-msg__text">{textOf(message)}</p>
                    <Show when={!store().busy()}>
                      <Button variant="ghost" class="btn--compact assistant-msg__edit" aria-label="Edit this question" onClick={() => store().startEdit(message)}>
                        Edit
                      </Button>
                    </Show>
                  </>
                }
              >
                <EditForm store={store()} index={index()} />
              </Show>
            </Show>
          </div>
        )}
      </For>
      <Show when={store().thinking()}>
        <p class="muted assistant__thinking" role="status">
          Thinking…
        </p>
      </Show>
    </div>
  );
}

function AnswerParts(props: { store: AssistantStore; message: AssistantMessage }) {
  return (
    <For each={props.message.parts}>
      {(part) => (
        <Switch>
          <Match when={part.type === "text" && (part as { text: string }).text}>
            <Markdown text={(part as { text: string }).text} />
          </Match>
          <Match when={isToolPart(part)}>
            <ToolCall part={part as never} onApprove={(id, approved) => void props.store.approve(id, approved)} />
          </Match>
        </Switch>
      )}
    </For>
  );
}

function EditForm(props: { store: AssistantStore; index: number }) {
  return (
    <form
      class="assistant__edit"
      onSubmit={(event) => {
        event.preventDefault();
        void props.store.submitEdit();
      }}
    >
      <label class="visually-hidden" for={`assistant-edit-${props.index}`}>
        Edit your question
      </label>
      <textarea id={`assistant-edit-${props.index}`} class="textarea" rows={3} value={props.store.editing()?.text ?? ""} onInput={(e) => props.store.setEditText(e.currentTarget.value)} />
      <div class="inline-actions">
        <Button type="submit" variant="primary" class="btn--compact">
          Send again
        </Button>
        <Button class="btn--compact" onClick={() => props.store.cancelEdit()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
