import { Show, type JSX } from "solid-js";
import { Dynamic } from "solid-js/web";

export interface EmptyStateProps {
  title: string;
  /** The heading level that fits the page outline; `h2` by default. */
  headingLevel?: "h2" | "h3";
  /** A decorative illustration or icon (hidden from assistive technology). */
  icon?: JSX.Element;
  /** What this place is for and what to do first. */
  children?: JSX.Element;
  /** Buttons or links. */
  actions?: JSX.Element;
}

/** What a view shows when it has nothing yet: what it is for, and the first step. */
export function EmptyState(props: EmptyStateProps) {
  return (
    <section class="empty-state">
      <Show when={props.icon}>
        <div class="empty-state__icon" aria-hidden="true">
          {props.icon}
        </div>
      </Show>
      <Dynamic component={props.headingLevel ?? "h2"} class="empty-state__title">
        {props.title}
      </Dynamic>
      <Show when={props.children}>
        <div class="empty-state__body">{props.children}</div>
      </Show>
      <Show when={props.actions}>
        <div class="empty-state__actions">{props.actions}</div>
      </Show>
    </section>
  );
}
