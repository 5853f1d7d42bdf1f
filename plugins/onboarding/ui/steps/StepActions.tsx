import { Show } from "solid-js";
import { Button } from "~/ui/components";

/** A step's buttons: Back (not on the first), Skip (skippable steps), and the main action. */
export function StepActions(props: { first?: boolean; skippable?: boolean; busy: boolean; disabled?: boolean; label?: string; onBack: () => void; onSkip?: () => void; describedBy?: string }) {
  return (
    <div class="wizard__actions">
      <Show when={!props.first}>
        <Button type="button" variant="secondary" onClick={() => props.onBack()} disabled={props.busy}>
          Back
        </Button>
      </Show>
      <Show when={props.skippable}>
        <Button type="button" variant="ghost" onClick={() => props.onSkip?.()} disabled={props.busy}>
          Skip this step
        </Button>
      </Show>
      <Button type="submit" variant="primary" disabled={props.busy || props.disabled} aria-describedby={props.describedBy}>
        {props.busy ? "Saving…" : (props.label ?? "Continue")}
      </Button>
    </div>
  );
}
