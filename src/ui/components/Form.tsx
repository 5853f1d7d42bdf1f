/**
 * Forms: one controller per form (`createForm`) and fields that register with it. On submit
 * the controller runs the action with the form's data, shows progress on the submit button,
 * and puts each error where it belongs: a field error next to its field (`aria-invalid`,
 * `aria-describedby`, focus moved to the first one), anything else in the form's alert.
 */
import {
  createSignal,
  createUniqueId,
  For,
  onCleanup,
  Show,
  splitProps,
  type Accessor,
  type JSX,
  type ParentProps,
} from "solid-js";
import { AlertIcon, CheckIcon, InfoIcon } from "../icons";
import { problemOf, type Problem } from "../problems";
import { Button, type ButtonVariant } from "./Button";

/* ----------------------------------------------------------------------------------------
 * Controller
 * ------------------------------------------------------------------------------------- */

export interface FormController {
  /** A prefix for the ids of this form's elements. */
  readonly id: string;
  readonly pending: Accessor<boolean>;
  /** The message for the form's alert: errors that belong to no field. */
  readonly alert: Accessor<string | null>;
  fieldError(name: string): string | undefined;
  clearFieldError(name: string): void;
  /** Fields call this; `required` is the message shown when the field is left empty. */
  register(name: string, options?: { required?: string }): () => void;
  /** Shows an error (a thrown value or a Problem) where it belongs. */
  fail(error: unknown): void;
  /** Clears every error. */
  clear(): void;
  onSubmit(event: SubmitEvent): void;
}

export interface FormOptions {
  /** Runs with the form's data; throw (or let a tRPC call throw) to show errors. */
  action: (data: FormData, form: HTMLFormElement) => Promise<unknown> | unknown;
  /** Checks before the call; returns messages by field name, or nothing when all is well. */
  validate?: (data: FormData) => Record<string, string> | null | undefined | void;
}

function isProblem(value: unknown): value is Problem {
  return !!value && typeof value === "object" && "fieldErrors" in value && "message" in value && !(value instanceof Error);
}

function focusFirstInvalid(form: HTMLFormElement): boolean {
  const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
  invalid?.focus();
  return !!invalid;
}

/** Creates a form controller. Spread nothing: pass it to the fields and `onSubmit={form.onSubmit}`. */
export function createForm(options: FormOptions): FormController {
  const id = createUniqueId();
  const [pending, setPending] = createSignal(false);
  const [alert, setAlert] = createSignal<string | null>(null);
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});
  const fields = new Map<string, { required?: string }>();

  const apply = (problem: Problem) => {
    const mine: Record<string, string> = {};
    const others: string[] = [];
    for (const [name, messages] of Object.entries(problem.fieldErrors)) {
      if (!messages.length) continue;
      if (fields.has(name)) mine[name] = messages[0]!;
      else others.push(...messages);
    }
    setFieldErrors(mine);
    const fielded = Object.keys(mine).length > 0;
    setAlert(others.length ? (others.length === 1 && !fielded ? problem.message || others[0]! : others.join(" ")) : fielded ? null : problem.message);
  };

  const controller: FormController = {
    id,
    pending,
    alert,
    fieldError: (name) => fieldErrors()[name],
    clearFieldError(name) {
      if (fieldErrors()[name] === undefined) return;
      const { [name]: _gone, ...rest } = fieldErrors();
      setFieldErrors(rest);
    },
    register(name, fieldOptions = {}) {
      fields.set(name, fieldOptions);
      return () => fields.delete(name);
    },
    fail(error) {
      apply(isProblem(error) ? error : problemOf(error));
    },
    clear() {
      setAlert(null);
      setFieldErrors({});
    },
    onSubmit(event) {
      event.preventDefault();
      if (pending()) return;
      const form = event.currentTarget as HTMLFormElement;
      const submitter = (event.submitter as HTMLElement | null) ?? form.querySelector<HTMLElement>('[type="submit"]');
      const data = new FormData(form);
      controller.clear();

      const local: Record<string, string[]> = {};
      for (const [name, field] of fields) {
        const value = data.get(name);
        if (field.required && (value === null || (typeof value === "string" && !value.trim()))) local[name] = [field.required];
      }
      for (const [name, message] of Object.entries(options.validate?.(data) ?? {})) local[name] ??= [message];
      if (Object.keys(local).length) {
        apply({ message: "Check the highlighted fields.", code: null, httpStatus: null, fieldErrors: local });
        focusFirstInvalid(form);
        return;
      }

      setPending(true);
      void (async () => {
        try {
          await options.action(data, form);
        } catch (error) {
          apply(problemOf(error));
        } finally {
          setPending(false);
          if (form.isConnected && !focusFirstInvalid(form)) {
            // Disabling the button while busy dropped its focus; put the keyboard back where it was.
            const active = document.activeElement;
            if ((!active || active === document.body) && submitter?.isConnected) submitter.focus();
          }
        }
      })();
    },
  };
  return controller;
}

/* ----------------------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------------------- */

interface FieldFrameProps {
  form: FormController;
  name: string;
  label: JSX.Element;
  hint?: JSX.Element;
  /** Message shown when left empty; also marks the field required. */
  required?: string;
  class?: string;
  children: (control: { id: string; describedBy: string | undefined; invalid: boolean; onInput: () => void }) => JSX.Element;
}

/** Label, hint, control and error, wired together. */
function FieldFrame(props: FieldFrameProps) {
  const base = () => `${props.form.id}-${props.name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
  const hintId = () => `${base()}-hint`;
  const errorId = () => `${base()}-error`;
  // A field belongs to one form and keeps its name for its lifetime.
  // eslint-disable-next-line solid/reactivity
  onCleanup(props.form.register(props.name, { required: props.required }));
  const error = () => props.form.fieldError(props.name);
  const describedBy = () => [props.hint ? hintId() : null, error() ? errorId() : null].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${props.class ? ` ${props.class}` : ""}`} classList={{ "field--invalid": !!error() }}>
      <label class="field__label" for={base()}>
        {props.label}
      </label>
      <Show when={props.hint}>
        <p class="field__hint" id={hintId()}>
          {props.hint}
        </p>
      </Show>
      {props.children({
        get id() {
          return base();
        },
        get describedBy() {
          return describedBy();
        },
        get invalid() {
          return !!error();
        },
        onInput: () => props.form.clearFieldError(props.name),
      })}
      <Show when={error()}>
        {(message) => (
          <p class="field__error" id={errorId()}>
            <AlertIcon class="icon field__error-icon" />
            <span>{message()}</span>
          </p>
        )}
      </Show>
    </div>
  );
}

type InputAttributes = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "name" | "id" | "required" | "form" | "children">;

export type TextFieldProps = InputAttributes & {
  form: FormController;
  name: string;
  label: JSX.Element;
  hint?: JSX.Element;
  required?: string;
  fieldClass?: string;
};

/** A labelled text input (any text-like `type`). */
export function TextField(props: TextFieldProps) {
  const [own, input] = splitProps(props, ["form", "name", "label", "hint", "required", "fieldClass", "class", "onInput"]);
  return (
    <FieldFrame form={own.form} name={own.name} label={own.label} hint={own.hint} required={own.required} class={own.fieldClass}>
      {(control) => (
        <input
          type="text"
          {...input}
          id={control.id}
          name={own.name}
          class={`input${own.class ? ` ${own.class}` : ""}`}
          required={!!own.required}
          aria-invalid={control.invalid ? "true" : undefined}
          aria-describedby={control.describedBy}
          onInput={(event) => {
            control.onInput();
            const handler = own.onInput;
            if (typeof handler === "function") handler(event);
          }}
        />
      )}
    </FieldFrame>
  );
}

export type TextAreaFieldProps = Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, "name" | "id" | "required" | "form" | "children"> & {
  form: FormController;
  name: string;
  label: JSX.Element;
  hint?: JSX.Element;
  required?: string;
};

/** A labelled multi-line text input. */
export function TextAreaField(props: TextAreaFieldProps) {
  const [own, rest] = splitProps(props, ["form", "name", "label", "hint", "required", "class"]);
  return (
    <FieldFrame form={own.form} name={own.name} label={own.label} hint={own.hint} required={own.required}>
      {(control) => (
        <textarea
          rows={3}
          {...rest}
          id={control.id}
          name={own.name}
          class={`input textarea${own.class ? ` ${own.class}` : ""}`}
          required={!!own.required}
          aria-invalid={control.invalid ? "true" : undefined}
          aria-describedby={control.describedBy}
          onInput={() => control.onInput()}
        />
      )}
    </FieldFrame>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export type SelectFieldProps = Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, "name" | "id" | "required" | "form" | "children"> & {
  form: FormController;
  name: string;
  label: JSX.Element;
  hint?: JSX.Element;
  options: readonly SelectOption[];
  required?: string;
};

/** A labelled native select. */
export function SelectField(props: SelectFieldProps) {
  // `value` picks the initially selected option (set on the option, so it holds however the list renders).
  const [own, rest] = splitProps(props, ["form", "name", "label", "hint", "options", "required", "class", "onChange", "value"]);
  return (
    <FieldFrame form={own.form} name={own.name} label={own.label} hint={own.hint} required={own.required}>
      {(control) => (
        <select
          {...rest}
          id={control.id}
          name={own.name}
          class={`input select${own.class ? ` ${own.class}` : ""}`}
          required={!!own.required}
          aria-invalid={control.invalid ? "true" : undefined}
          aria-describedby={control.describedBy}
          onChange={(event) => {
            control.onInput();
            const handler = own.onChange;
            if (typeof handler === "function") handler(event);
          }}
        >
          <For each={own.options}>
            {(option) => (
              <option value={option.value} selected={option.value === String(own.value ?? "")}>
                {option.label}
              </option>
            )}
          </For>
        </select>
      )}
    </FieldFrame>
  );
}

export interface CheckboxGroupProps {
  form: FormController;
  name: string;
  legend: JSX.Element;
  hint?: JSX.Element;
  options: ReadonlyArray<SelectOption & { description?: string }>;
  /** Values checked at first. */
  checked?: readonly string[];
}

/** A group of checkboxes sharing one name, in a fieldset with a legend; its error sits under the group. */
export function CheckboxGroup(props: CheckboxGroupProps) {
  const base = () => `${props.form.id}-${props.name}`;
  // eslint-disable-next-line solid/reactivity
  onCleanup(props.form.register(props.name));
  const error = () => props.form.fieldError(props.name);
  const describedBy = () => [props.hint ? `${base()}-hint` : null, error() ? `${base()}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <fieldset class="field fieldset" classList={{ "field--invalid": !!error() }} aria-describedby={describedBy()}>
      <legend class="field__label">{props.legend}</legend>
      <Show when={props.hint}>
        <p class="field__hint" id={`${base()}-hint`}>
          {props.hint}
        </p>
      </Show>
      <div class="checks">
        <For each={props.options}>
          {(option, index) => (
            <label class="check">
              <input
                type="checkbox"
                name={props.name}
                value={option.value}
                checked={props.checked?.includes(option.value)}
                aria-invalid={error() && index() === 0 ? "true" : undefined}
                onChange={() => props.form.clearFieldError(props.name)}
              />
              <span class="check__text">
                <span class="check__label">{option.label}</span>
                <Show when={option.description}>
                  <span class="check__description">{option.description}</span>
                </Show>
              </span>
            </label>
          )}
        </For>
      </div>
      <Show when={error()}>
        {(message) => (
          <p class="field__error" id={`${base()}-error`}>
            <AlertIcon class="icon field__error-icon" />
            <span>{message()}</span>
          </p>
        )}
      </Show>
    </fieldset>
  );
}

/* ----------------------------------------------------------------------------------------
 * Submitting and messages
 * ------------------------------------------------------------------------------------- */

/** The inside of a busy button: a small spinner and what is happening ("Saving…"). */
export function BusyLabel(props: { busy: boolean; label: string; children: JSX.Element }) {
  return (
    <Show when={props.busy} fallback={props.children}>
      <span class="btn__spinner" aria-hidden="true" />
      <span>{props.label}</span>
    </Show>
  );
}

/** The form's submit button: disabled with a spinner and `pendingLabel` while the action runs. */
export function SubmitButton(props: ParentProps<{ form: FormController; pendingLabel: string; variant?: ButtonVariant; class?: string }>) {
  return (
    <Button type="submit" variant={props.variant ?? "primary"} class={props.class} disabled={props.form.pending()}>
      <BusyLabel busy={props.form.pending()} label={props.pendingLabel}>
        {props.children}
      </BusyLabel>
    </Button>
  );
}

/** Where a form's own errors appear; announced when they do. */
export function FormAlert(props: { form: FormController }) {
  return <Alert message={props.form.alert()} />;
}

/**
 * An error message at the place the action happened. The live region is always present (an
 * alert inserted together with its text is not announced by every screen reader).
 */
export function Alert(props: { message: string | null | undefined; class?: string }) {
  return (
    <div role="alert" class={`alert-region${props.class ? ` ${props.class}` : ""}`}>
      <Show when={props.message}>
        {(message) => (
          <div class="alert alert--error">
            <AlertIcon class="icon alert__icon" />
            <p class="alert__text">{message()}</p>
          </div>
        )}
      </Show>
    </div>
  );
}

/** A success or information message; polite, like a status line. */
export function Notice(props: ParentProps<{ tone?: "success" | "info" | "warning"; class?: string; title?: string }>) {
  const tone = () => props.tone ?? "info";
  return (
    <div role="status" class={`notice notice--${tone()}${props.class ? ` ${props.class}` : ""}`}>
      <Show when={tone() === "success"} fallback={tone() === "warning" ? <AlertIcon class="icon notice__icon" /> : <InfoIcon class="icon notice__icon" />}>
        <CheckIcon class="icon notice__icon" />
      </Show>
      <div class="notice__body">
        <Show when={props.title}>
          <p class="notice__title">{props.title}</p>
        </Show>
        {props.children}
      </div>
    </div>
  );
}

/**
 * A button that runs one async action (Revoke, Remove …), busy while it runs, with the error
 * reported by `onError` so the caller shows it where the action happened.
 */
export function createAction<A extends unknown[]>(run: (...args: A) => Promise<unknown>, onError: (problem: Problem) => void) {
  const [pending, setPending] = createSignal(false);
  return {
    pending,
    async run(...args: A): Promise<boolean> {
      if (pending()) return false;
      setPending(true);
      try {
        await run(...args);
        return true;
      } catch (error) {
        onError(problemOf(error));
        return false;
      } finally {
        setPending(false);
      }
    },
  };
}

/** Like `createAction`, for a button on each row of a list: says which row is busy. */
export function createRowAction<R>(run: (row: R) => Promise<unknown>, keyOf: (row: R) => string, onError: (problem: Problem) => void) {
  const [busyKey, setBusyKey] = createSignal<string | null>(null);
  return {
    busy: (row: R) => busyKey() === keyOf(row),
    async run(row: R): Promise<void> {
      if (busyKey() !== null) return;
      setBusyKey(keyOf(row));
      try {
        await run(row);
      } catch (error) {
        onError(problemOf(error));
      } finally {
        setBusyKey(null);
      }
    },
  };
}
