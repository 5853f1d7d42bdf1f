import { createSignal, Show } from "solid-js";
import { createForm, FormAlert, Notice, SubmitButton, TextField } from "~/ui/components";
import type { SlotProps } from "~/ui/plugin-ui";
import { SettingsSection } from "~/ui/settings/Section";
import { trpc } from "~/ui/trpc";

/** Slot `account.security`. Change the password: every other device is signed out, this one stays signed in. */
export default function PasswordSection(props: SlotProps["account.security"]) {
  const [changed, setChanged] = createSignal(false);
  const form = createForm({
    validate: (data) => {
      const next = String(data.get("newPassword") ?? "");
      if (next && String(data.get("confirmPassword") ?? "") !== next) return { confirmPassword: "The two new passwords differ. Type the same password twice." };
    },
    action: async (data, element) => {
      setChanged(false);
      await trpc.authPassword.changePassword.mutate({
        currentPassword: String(data.get("currentPassword") ?? ""),
        newPassword: String(data.get("newPassword") ?? ""),
      });
      element.reset();
      setChanged(true);
      props.onOtherSessionsEnded();
    },
  });
  return (
    <SettingsSection id="password" title="Password" lede="Changing your password signs you out everywhere else.">
      <form class="form form--narrow" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField form={form} name="currentPassword" label="Current password" type="password" autocomplete="current-password" required="Enter your current password." />
        <TextField
          form={form}
          name="newPassword"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 10 characters."
          required="Choose a new password."
          onInput={() => setChanged(false)}
        />
        <TextField form={form} name="confirmPassword" label="New password, again" type="password" autocomplete="new-password" required="Type the new password again." />
        <FormAlert form={form} />
        <Show when={changed()}>
          <Notice tone="success">
            <p>Your password is changed. Other devices were signed out.</p>
          </Notice>
        </Show>
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel="Changing password…">
            Change password
          </SubmitButton>
        </div>
      </form>
    </SettingsSection>
  );
}
