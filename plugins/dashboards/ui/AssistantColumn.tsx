/**
 * The page's main column and, beside it, the `workspace.assistant` slot in a side column that
 * folds to a button. It starts folded until the panel says a model is configured (so a page
 * without one gets the whole width), then follows the person's last choice. With no
 * contribution the member may see, there is no column at all.
 */
import { createSignal, onMount, Show, Suspense, type JSX } from "solid-js";
import { Slot, useSlot } from "~/ui/Slot";
import type { SlotProps } from "~/ui/plugin-ui";

/** Where the person's open/closed choice is remembered between pages. */
const CHOICE_KEY = "atrium:assistant-column";

function rememberedChoice(): boolean | null {
  try {
    const value = localStorage.getItem(CHOICE_KEY);
    return value === "open" ? true : value === "closed" ? false : null;
  } catch {
    return null;
  }
}

export function WithAssistant(props: { assistant: SlotProps["workspace.assistant"]; children: JSX.Element }) {
  const contributions = useSlot(() => "workspace.assistant" as const);
  const [configured, setConfigured] = createSignal(false);
  const [remembered, setRemembered] = createSignal<boolean | null>(null);
  const [choice, setChoice] = createSignal<boolean | null>(null);
  onMount(() => setRemembered(rememberedChoice()));
  // Folded until a model is known to be configured, unless opened on purpose on this page.
  const open = () => (configured() ? (choice() ?? remembered() ?? true) : choice() === true);
  const toggle = () => {
    const next = !open();
    setChoice(next);
    // Only a choice made with a working assistant carries over to other pages.
    if (configured()) {
      try {
        localStorage.setItem(CHOICE_KEY, next ? "open" : "closed");
      } catch {
        // storage unavailable: the choice lasts for this page
      }
    }
  };
  const onStatus = (status: { configured: boolean }) => setConfigured(status.configured);
  return (
    <div class="dash-with-assistant" classList={{ "dash-with-assistant--open": contributions().length > 0 && open() }}>
      <div class="dash-with-assistant__main">{props.children}</div>
      <Show when={contributions().length > 0}>
        <aside class="dash-assistant" aria-label="Assistant">
          <button type="button" class="btn btn--ghost btn--compact dash-assistant__toggle" aria-expanded={open()} aria-controls="dash-assistant-panel" onClick={toggle}>
            {open() ? "Hide assistant" : "Show assistant"}
          </button>
          <div id="dash-assistant-panel" hidden={!open()}>
            <Suspense>
              <Slot name="workspace.assistant" props={{ ...props.assistant, onStatus }} />
            </Suspense>
          </div>
        </aside>
      </Show>
    </div>
  );
}
