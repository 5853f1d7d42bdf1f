/**
 * A comment box that completes `@name`: typing `@` and the start of a name offers the members who
 * can see the dashboard (the server offers no one else); picking one writes `@Name` and
 * remembers who it was, so the comment carries their id beside the text.
 */
import { createEffect, createSignal, For, on, Show } from "solid-js";
import { TextAreaField, type FormController } from "~/ui/components";
import { trpc } from "~/ui/trpc";
import type { DashboardAt } from "./comments-store";

export interface Mentions {
  add(member: { id: string; name: string }): void;
  /** The ids of the people still named (`@Name`) in `body`. */
  idsIn(body: string): string[];
  reset(): void;
}

export function createMentions(): Mentions {
  let picked: Array<{ id: string; name: string }> = [];
  return {
    add(member) {
      if (!picked.some((p) => p.id === member.id)) picked = [...picked, member];
    },
    idsIn: (body) => picked.filter((p) => body.includes(`@${p.name}`)).map((p) => p.id),
    reset() {
      picked = [];
    },
  };
}

const TYPED_MENTION = /(?:^|\s)@([^\s@]{0,40})$/;

export function MentionField(props: { form: FormController; name: string; label: string; hint?: string; at: DashboardAt; mentions: Mentions; value?: string }) {
  let textarea: HTMLTextAreaElement | undefined;
  const [query, setQuery] = createSignal<string | null>(null);
  const [options, setOptions] = createSignal<Array<{ id: string; name: string }>>([]);
  const listId = () => `${props.form.id}-${props.name}-mentions`;
  const detect = () => {
    if (!textarea) return;
    const match = TYPED_MENTION.exec(textarea.value.slice(0, textarea.selectionStart));
    setQuery(match ? match[1]! : null);
  };
  createEffect(
    on(query, async (q) => {
      if (q === null) return setOptions([]);
      try {
        const { members } = await trpc.collaboration.members.query({ ...props.at, prefix: q, limit: 6 });
        if (query() === q) setOptions(members);
      } catch {
        setOptions([]);
      }
    }),
  );
  const pick = (member: { id: string; name: string }) => {
    if (!textarea) return;
    const at = textarea.selectionStart;
    const before = textarea.value.slice(0, at).replace(/@([^\s@]{0,40})$/, `@${member.name} `);
    textarea.value = before + textarea.value.slice(at);
    textarea.focus();
    textarea.setSelectionRange(before.length, before.length);
    props.mentions.add(member);
    setQuery(null);
  };
  return (
    <div class="collab-mention">
      <TextAreaField
        ref={textarea}
        form={props.form}
        name={props.name}
        label={props.label}
        hint={props.hint ?? "Markdown. Type @ to mention someone who can see this dashboard."}
        maxLength={5000}
        required="Write something"
        value={props.value}
        aria-controls={options().length ? listId() : undefined}
        onKeyUp={(e) => (e.key === "Escape" ? setQuery(null) : detect())}
        onClick={detect}
      />
      <Show when={options().length}>
        <ul id={listId()} class="collab-mention__options" aria-label="Mention someone">
          <For each={options()}>
            {(member) => (
              <li>
                <button type="button" class="collab-mention__option" onClick={() => pick(member)}>
                  @{member.name}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
