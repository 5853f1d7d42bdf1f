import { createSignal, For, Show } from "solid-js";
import { Button, Notice } from "~/ui/components";
import { formatDateTime } from "~/ui/format";
import type { WizardStore } from "./wizard-store";

/**
 * Who is editing the setup: told when someone took it over from you; when someone else holds
 * the lease, their name, until when, and a "Take over" button; for the holder, a handoff.
 */
export function LeaseBanner(props: { store: WizardStore }) {
  const [to, setTo] = createSignal("");
  const session = () => props.store.session();
  const managers = () => props.store.state()?.managers ?? [];
  return (
    <>
      <Show when={session()?.takenOverBy}>
        {(who) => (
          <Notice tone="warning">
            <span role="alert">{who()} took over the setup. Your changes are no longer saved.</span>
          </Notice>
        )}
      </Show>
      <Show when={session()?.lease && !session()!.lease!.you && session()!.lease}>
        {(lease) => (
          <Notice tone="info">
            <div class="wizard__lease">
              <span>
                {lease().holderName} is editing the setup (until {formatDateTime(lease().expiresAt)}).
              </span>
              <Show when={props.store.state()?.canManage}>
                <Button onClick={() => void props.store.takeOver()} disabled={props.store.busy()}>
                  Take over
                </Button>
              </Show>
            </div>
          </Notice>
        )}
      </Show>
      <Show when={session()?.lease?.you && managers().length > 0}>
        <details class="wizard__handoff">
          <summary>Hand the setup to someone else</summary>
          <form
            class="wizard__lease"
            onSubmit={(e) => {
              e.preventDefault();
              if (to()) void props.store.handOff(to());
            }}
          >
            <label class="field">
              <span class="field__label">Owner or admin</span>
              <select class="input select" value={to()} onChange={(e) => setTo(e.currentTarget.value)}>
                <option value="" disabled selected={!to()}>
                  Choose…
                </option>
                <For each={managers()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
              </select>
            </label>
            <Button type="submit" disabled={!to() || props.store.busy()}>
              Hand off
            </Button>
          </form>
        </details>
      </Show>
    </>
  );
}
