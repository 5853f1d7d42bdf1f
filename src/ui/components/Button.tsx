import { splitProps, type JSX } from "solid-js";

export type ButtonVariant = "primary" | "secondary" | "ghost" | "danger";

export type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  /** `secondary` by default; one `primary` per view. */
  variant?: ButtonVariant;
};

/** A button. `type="button"` unless told otherwise, so it never submits a form by accident. */
export function Button(props: ButtonProps) {
  const [local, rest] = splitProps(props, ["variant", "class", "type", "children"]);
  return (
    <button
      {...rest}
      type={local.type ?? "button"}
      class={`btn btn--${local.variant ?? "secondary"}${local.class ? ` ${local.class}` : ""}`}
    >
      {local.children}
    </button>
  );
}
