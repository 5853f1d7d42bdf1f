import { splitProps, type JSX } from "solid-js";

export type IconButtonProps = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, "aria-label" | "children"> & {
  /** The accessible name: what the button does ("Close", "Dark theme"). Required: an icon alone says nothing to a screen reader. */
  label: string;
  /** The icon, drawn in `currentColor`; hidden from assistive technology. */
  children: JSX.Element;
};

/** A square button showing only an icon, named by `label`. */
export function IconButton(props: IconButtonProps) {
  const [local, rest] = splitProps(props, ["label", "class", "type", "children"]);
  return (
    <button {...rest} type={local.type ?? "button"} aria-label={local.label} class={`icon-btn${local.class ? ` ${local.class}` : ""}`}>
      <span class="icon-btn__icon" aria-hidden="true">
        {local.children}
      </span>
    </button>
  );
}
