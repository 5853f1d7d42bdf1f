import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { createForm, FormAlert, Link, Notice, SubmitButton, TextField } from "~/ui/components";
import { trpc } from "~/ui/trpc";

export default function ForgotPassword() {
  const [params] = useSearchParams();
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const form = createForm({
    action: async (data) => {
      const email = String(data.get("email") ?? "").trim();
      await trpc.authPassword.requestPasswordReset.mutate({ email });
      setSentTo(email);
    },
  });
  const initialEmail = () => firstParam(params.email);
  return (
    <AuthCard
      title="Reset your password"
      lede="Enter the email address of your account and we’ll send you a link to choose a new password."
      footer={
        <>
          Remembered it? <Link href="/sign-in">Back to sign in</Link>
        </>
      }
    >
      <Title>Forgot password · Atrium</Title>
      <Show
        when={sentTo()}
        fallback={
          <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
            <TextField
              form={form}
              name="email"
              label="Email"
              type="email"
              autocomplete="email"
              inputmode="email"
              spellcheck={false}
              value={initialEmail()}
              required="Enter your email address."
            />
            <FormAlert form={form} />
            <SubmitButton form={form} pendingLabel="Sending link…" class="btn--block">
              Send reset link
            </SubmitButton>
          </form>
        }
      >
        {(email) => (
          <Notice tone="success" title="Check your email">
            <p>
              If an account exists for <strong>{email()}</strong>, we’ve sent it a link to reset the password. The link works once,
              for 1 hour. No email after a few minutes? Check your spam folder, or try again.
            </p>
          </Notice>
        )}
      </Show>
    </AuthCard>
  );
}
