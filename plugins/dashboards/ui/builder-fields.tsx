/** The chart builder's small form pieces: a labelled field, and a select of column names. */
import { For, Show, type JSX } from "solid-js";

export function Field(props: { id: string; label: string; hint?: string; children: JSX.Element }) {
  return (
    <div class="field">
      <label class="field__label" for={props.id}>
        {props.label}
      </label>
      <Show when={props.hint}>
        <p class="field__hint">{props.hint}</p>
      </Show>
      {props.children}
    </div>
  );
}

/** A select of `options`; a value not among them (a column gone from the result) stays listed. */
export function ColumnSelect(props: { id: string; value: string; onChange: (value: string) => void; options: readonly string[]; empty?: string }) {
  return (
    <select id={props.id} class="input select" onChange={(e) => props.onChange(e.currentTarget.value)}>
      <Show when={props.empty !== undefined}>
        <option value="" selected={props.value === ""}>
          {props.empty}
        </option>
      </Show>
      <For each={props.value && !props.options.includes(props.value) ? [props.value, ...props.options] : props.options}>
        {(name) => (
          <option value={name} selected={name === props.value}>
            {name}
          </option>
        )}
      </For>
    </select>
  );
}

/** A select of fixed choices. */
export function ChoiceSelect<T extends string>(props: { id: string; value: T | undefined; onChange: (value: T) => void; choices: readonly T[]; labels?: Partial<Record<T, string>>; empty?: string }) {
  return (
    <select id={props.id} class="input select" onChange={(e) => props.onChange(e.currentTarget.value as T)}>
      <Show when={props.empty !== undefined}>
        <option value="" selected={!props.value}>
          {props.empty}
        </option>
      </Show>
      <For each={props.choices}>
        {(choice) => (
          <option value={choice} selected={props.value === choice}>
            {props.labels?.[choice] ?? choice}
          </option>
        )}
      </For>
    </select>
  );
}
