import { createSignal, Show } from "solid-js";
import { Alert, Badge, BusyLabel, Button, createAction, createForm, FormAlert, Notice, SubmitButton, TextField } from "../components";
import type { Me } from "../session";
import { useSession } from "../session";
import { trpc } from "../trpc";
import { SettingsSection } from "./Section";

/** The person's name, and their email address with its confirmation state. */
export function ProfileSection(props: { me: Me }) {
  const session = useSession();
  const [saved, setSaved] = createSignal(false);
  const form = createForm({
    action: async (data) => {
      setSaved(false);
      await trpc.auth.updateProfile.mutate({ name: String(data.get("name") ?? "") });
      await session.refresh();
      setSaved(true);
    },
  });
  const [resent, setResent] = createSignal(false);
  const [resendProblem, setResendProblem] = createSignal<string | null>(null);
  const resend = createAction(
    async () => {
      setResendProblem(null);
      const result = await trpc.authPassword.resendVerification.mutate();
      if (result.alreadyVerified) await session.refresh();
      setResent(result.sent);
    },
    (p) => setResendProblem(p.message),
  );
  return (
    <SettingsSection id="profile" title="Profile" lede="How you appear to the people you work with.">
      <form class="form form--inline" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField
          form={form}
          name="name"
          label="Name"
          value={props.me.name}
          autocomplete="name"
          maxLength={100}
          required="Enter your name."
          onInput={() => setSaved(false)}
        />
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel="Saving…">
            Save name
          </SubmitButton>
        </div>
        <FormAlert form={form} />
        <Show when={saved()}>
          <Notice tone="success">
            <p>Saved.</p>
          </Notice>
        </Show>
      </form>
      <dl class="details details--compact">
        <div class="details__row">
          <dt>Email</dt>
          <dd>
            {props.me.email}{" "}
            <Show when={props.me.emailVerified} fallback={<Badge tone="warning">Not confirmed</Badge>}>
              <Badge tone="success">Confirmed</Badge>
            </Show>
          </dd>
        </div>
      </dl>
      <Show when={!props.me.emailVerified}>
        <div class="inline-actions">
          <Show
            when={resent()}
            fallback={
              <Button disabled={resend.pending()} onClick={() => void resend.run()}>
                <BusyLabel busy={resend.pending()} label="Sending…">
                  Send a new confirmation link
                </BusyLabel>
              </Button>
            }
          >
            <Notice tone="success">
              <p>We sent a new link to {props.me.email}. It works for 24 hours.</p>
            </Notice>
          </Show>
          <Alert message={resendProblem()} />
        </div>
      </Show>
    </SettingsSection>
  );
}

/** Change the password: every other device is signed out, this one stays signed in. */
export function PasswordSection(props: { onChanged?: () => void }) {
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
      props.onChanged?.();
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
