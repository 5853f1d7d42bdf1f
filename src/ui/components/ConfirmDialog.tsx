import { Show, type JSX } from "solid-js";
import { Button } from "./Button";
import { Dialog } from "./Dialog";
import { createForm, FormAlert, SubmitButton, TextField } from "./Form";

export interface ConfirmDialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  description: JSX.Element;
  /** The confirm button's text ("Delete organization"). */
  confirmLabel: string;
  /** Its text while the action runs ("Deleting…"). */
  pendingLabel: string;
  /** Destructive actions get the danger style. */
  tone?: "default" | "danger";
  /**
   * Asks the person to type this (a slug) before confirming. Checked here for a quick answer;
   * the server checks again and its field error (`field`) shows under the same input.
   */
  typeToConfirm?: { text: string; field: string; label?: string };
  /** Runs the action; throw to show the error in the dialog. */
  confirm: (typed: string) => Promise<unknown>;
}

/** "Are you sure?" with the consequences spelled out, optionally typing a name to confirm. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const form = createForm({
    validate: (data) => {
      const spec = props.typeToConfirm;
      if (spec && String(data.get(spec.field) ?? "").trim().toLowerCase() !== spec.text.toLowerCase()) {
        return { [spec.field]: `Type “${spec.text}” exactly to confirm.` };
      }
    },
    action: async (data) => {
      await props.confirm(props.typeToConfirm ? String(data.get(props.typeToConfirm.field) ?? "").trim() : "");
      form.clear();
      props.onClose();
    },
  });
  const close = () => {
    if (form.pending()) return;
    form.clear(); // the next opening starts without the last one's error
    props.onClose();
  };
  return (
    <Dialog
      open={props.open}
      onClose={close}
      title={props.title}
      description={props.description}
      tone={props.tone}
    >
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <Show when={props.typeToConfirm}>
          {(spec) => (
            <TextField
              form={form}
              name={spec().field}
              label={
                spec().label ?? (
                  <>
                    Type <span class="mono">{spec().text}</span> to confirm
                  </>
                )
              }
              autocomplete="off"
              autocapitalize="off"
              spellcheck={false}
              class="input--mono"
              required={`Type “${spec().text}” to confirm.`}
            />
          )}
        </Show>
        <FormAlert form={form} />
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel={props.pendingLabel} variant={props.tone === "danger" ? "danger" : "primary"}>
            {props.confirmLabel}
          </SubmitButton>
          <Button onClick={close} disabled={form.pending()} data-autofocus={props.typeToConfirm ? undefined : ""}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
