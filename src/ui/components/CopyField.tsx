import { createSignal, createUniqueId, onCleanup, Show } from "solid-js";
import { CheckIcon, CopyIcon } from "../icons";
import { Button } from "./Button";

export interface CopyFieldProps {
  /** The field's label ("Invitation link", "Token"). */
  label: string;
  value: string;
  /** A sentence under the value, e.g. that it is shown once. */
  hint?: string;
  /** Monospace, for secrets and identifiers. */
  mono?: boolean;
}

/**
 * A read-only value with a Copy button. Copying uses the Clipboard API; where that is refused
 * (no permission, not a secure context) the value is selected so Ctrl+C / ⌘C copies it, and
 * the status line says so.
 */
export function CopyField(props: CopyFieldProps) {
  const id = `copy-${createUniqueId()}`;
  const [status, setStatus] = createSignal<"idle" | "copied" | "select">("idle");
  let input!: HTMLInputElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const copy = async () => {
    clearTimeout(timer);
    try {
      await navigator.clipboard.writeText(props.value);
      setStatus("copied");
    } catch {
      input.focus();
      input.select();
      setStatus("select");
    }
    timer = setTimeout(() => setStatus("idle"), 4000);
  };

  return (
    <div class="copy-field">
      <label class="field__label" for={id}>
        {props.label}
      </label>
      <div class="copy-field__row">
        <input
          ref={input}
          id={id}
          class="input copy-field__input"
          classList={{ "input--mono": props.mono }}
          value={props.value}
          readOnly
          spellcheck={false}
          aria-describedby={props.hint ? `${id}-hint` : undefined}
          onFocus={(event) => event.currentTarget.select()}
        />
        <Button onClick={() => void copy()}>
          <Show when={status() === "copied"} fallback={<CopyIcon class="icon" />}>
            <CheckIcon class="icon" />
          </Show>
          <span>{status() === "copied" ? "Copied" : "Copy"}</span>
        </Button>
      </div>
      <Show when={props.hint}>
        <p id={`${id}-hint`} class="field__hint">
          {props.hint}
        </p>
      </Show>
      <p class="visually-hidden" role="status">
        {status() === "copied" ? "Copied to the clipboard." : status() === "select" ? "Selected: press Control C (or Command C) to copy." : ""}
      </p>
      <Show when={status() === "select"}>
        <p class="field__hint" aria-hidden="true">
          Selected — press Ctrl+C (⌘C on a Mac) to copy.
        </p>
      </Show>
    </div>
  );
}
