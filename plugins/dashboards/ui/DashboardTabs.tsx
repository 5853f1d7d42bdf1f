/**
 * A dashboard's sections as tabs (the live view and the read-only canvas): arrow keys move
 * between them, the selected one is in the tab order; the panel is `#dash-tabpanel`.
 */
import { For } from "solid-js";

export function DashboardTabs(props: { titles: ReadonlyArray<string | null>; selected: number; onSelect: (index: number) => void }) {
  return (
    <div class="dash-tabs" role="tablist" aria-label="Dashboard tabs">
      <For each={props.titles}>
        {(title, i) => (
          <button
            type="button"
            role="tab"
            id={`dash-tab-${i()}`}
            class="tab"
            classList={{ "tab--active": props.selected === i() }}
            aria-selected={props.selected === i()}
            aria-controls="dash-tabpanel"
            tabindex={props.selected === i() ? 0 : -1}
            onClick={() => props.onSelect(i())}
            onKeyDown={(e) => {
              const count = props.titles.length;
              if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                const next = (i() + (e.key === "ArrowRight" ? 1 : count - 1)) % count;
                props.onSelect(next);
                document.getElementById(`dash-tab-${next}`)?.focus();
              }
            }}
          >
            {title}
          </button>
        )}
      </For>
    </div>
  );
}
