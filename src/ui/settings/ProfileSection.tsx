import { createSignal, Show, Suspense } from "solid-js";
import { Badge, createForm, FormAlert, Notice, SubmitButton, TextField } from "../components";
import type { Me } from "../session";
import { useSession } from "../session";
import { trpc } from "../trpc";
import { Slot } from "../Slot";
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
      <Suspense>
        <Slot name="account.profile" props={{ email: props.me.email, emailVerified: props.me.emailVerified }} />
      </Suspense>
    </SettingsSection>
  );
}
