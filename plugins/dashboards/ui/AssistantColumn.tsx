/**
 * The page's main column and, beside it, the `workspace.assistant` slot in a collapsible side
 * column. With no contribution the member may see, there is no column at all.
 */
import { createSignal, Show, Suspense, type JSX } from "solid-js";
import { Slot, useSlot } from "~/ui/Slot";
import type { SlotProps } from "~/ui/plugin-ui";

export function WithAssistant(props: { assistant: SlotProps["workspace.assistant"]; children: JSX.Element }) {
  const contributions = useSlot(() => "workspace.assistant" as const);
  const [open, setOpen] = createSignal(true);
  return (
    <div class="dash-with-assistant" classList={{ "dash-with-assistant--open": contributions().length > 0 && open() }}>
      <div class="dash-with-assistant__main">{props.children}</div>
      <Show when={contributions().length > 0}>
        <aside class="dash-assistant" aria-label="Assistant">
          <button
            type="button"
            class="btn btn--ghost btn--compact dash-assistant__toggle"
            aria-expanded={open()}
            aria-controls="dash-assistant-panel"
            onClick={() => setOpen(!open())}
          >
            {open() ? "Hide assistant" : "Show assistant"}
          </button>
          <div id="dash-assistant-panel" hidden={!open()}>
            <Suspense>
              <Slot name="workspace.assistant" props={props.assistant} />
            </Suspense>
          </div>
        </aside>
      </Show>
    </div>
  );
}
