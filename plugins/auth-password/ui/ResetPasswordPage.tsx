import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { Alert, createForm, FormAlert, Link, Notice, SubmitButton, TextField } from "~/ui/components";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

export default function ResetPassword() {
  const [params] = useSearchParams();
  const session = useSession();
  const token = () => firstParam(params.token);
  const [done, setDone] = createSignal(false);
  const form = createForm({
    validate: (data) => {
      const password = String(data.get("password") ?? "");
      if (password && String(data.get("confirm") ?? "") !== password) return { confirm: "The two passwords differ. Type the same password twice." };
    },
    action: async (data) => {
      await trpc.authPassword.resetPassword.mutate({ token: token(), password: String(data.get("password") ?? "") });
      // The reset signs this browser in afresh (and every other session out).
      await session.refresh();
      setDone(true);
    },
  });
  return (
    <AuthCard title="Choose a new password" lede="Your new password replaces the old one everywhere; other devices are signed out.">
      <Title>Choose a new password · Atrium</Title>
      <Show
        when={token()}
        fallback={
          <>
            <Alert message="This link is incomplete: it has no token. Open the link from the email again, or ask for a new one." />
            <div class="auth__actions">
              <Link href="/forgot-password" variant="button-primary">
                Ask for a new link
              </Link>
            </div>
          </>
        }
      >
        <Show
          when={!done()}
          fallback={
            <>
              <Notice tone="success" title="Your password is changed.">
                <p>You’re signed in with your new password.</p>
              </Notice>
              <div class="auth__actions">
                <Link href="/" variant="button-primary">
                  Continue to Atrium
                </Link>
              </div>
            </>
          }
        >
          <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
            <TextField
              form={form}
              name="password"
              label="New password"
              type="password"
              autocomplete="new-password"
              hint="At least 10 characters."
              required="Choose a new password."
            />
            <TextField form={form} name="confirm" label="Type it again" type="password" autocomplete="new-password" required="Type the new password again." />
            <FormAlert form={form} />
            <SubmitButton form={form} pendingLabel="Saving password…" class="btn--block">
              Save new password
            </SubmitButton>
            <Show when={form.alert()?.includes("link")}>
              <p class="muted">
                <Link href="/forgot-password">Ask for a new link</Link>
              </p>
            </Show>
          </form>
        </Show>
      </Show>
    </AuthCard>
  );
}
