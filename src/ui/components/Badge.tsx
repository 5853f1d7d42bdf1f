import type { ParentProps } from "solid-js";

export type BadgeTone = "neutral" | "accent" | "success" | "warning" | "danger" | "agent";

/** A short label in a pill: a role, a status, an actor kind. */
export function Badge(props: ParentProps<{ tone?: BadgeTone; class?: string; title?: string }>) {
  return (
    <span class={`badge badge--${props.tone ?? "neutral"}${props.class ? ` ${props.class}` : ""}`} title={props.title}>
      {props.children}
    </span>
  );
}
