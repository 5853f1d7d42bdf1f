import type { ParentProps } from "solid-js";

/** Text for screen readers only: hidden visually, still read aloud and still in the accessibility tree. */
export function VisuallyHidden(props: ParentProps) {
  return <span class="visually-hidden">{props.children}</span>;
}
