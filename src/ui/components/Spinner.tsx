import { VisuallyHidden } from "./VisuallyHidden";

/** A loading indicator announced politely by screen readers (`role="status"`). */
export function Spinner(props: { label?: string; size?: "sm" | "md" }) {
  return (
    <span role="status" class={`spinner spinner--${props.size ?? "md"}`}>
      <span class="spinner__circle" aria-hidden="true" />
      <VisuallyHidden>{props.label ?? "Loading…"}</VisuallyHidden>
    </span>
  );
}
