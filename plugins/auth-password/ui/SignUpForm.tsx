import { createSignal, Show } from "solid-js";
import { createForm, FormAlert, Notice, SubmitButton, TextField } from "~/ui/components";
import type { SlotProps } from "~/ui/plugin-ui";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

/** The password rules the server applies (../service.ts), said up front. */
const PASSWORD_HINT = "At least 10 characters. A long phrase is easier to remember and harder to guess.";

/** The name, email and password form of the sign-up page (slot `signup.forms`). */
export default function SignUpForm(props: SlotProps["signup.forms"]) {
  const session = useSession();
  // The server answers the same whether or not the address has an account; with no session
  // after it, the mail (a confirmation link, or a note to the owner) says what comes next.
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const form = createForm({
    validate: (data) => {
      const password = String(data.get("password") ?? "");
      if (password && [...password].length < 10) return { password: "Use at least 10 characters." };
    },
    action: async (data) => {
      await trpc.authPassword.signUp.mutate({
        name: String(data.get("name") ?? ""),
        email: String(data.get("email") ?? ""),
        password: String(data.get("password") ?? ""),
      });
      // A new account is signed in; the page moves on once `auth.me` says so.
      await session.refresh();
      if (!session.user()) setSentTo(String(data.get("email") ?? "").trim());
    },
  });
  return (
    <Show
      when={sentTo()}
      fallback={
        <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
          <TextField form={form} name="name" label="Your name" autocomplete="name" required="Enter your name." />
          <TextField
            form={form}
            name="email"
            label="Work email"
            type="email"
            autocomplete="email"
            inputmode="email"
            spellcheck={false}
            value={props.email}
            required="Enter your email address."
          />
          <TextField
            form={form}
            name="password"
            label="Password"
            type="password"
            autocomplete="new-password"
            hint={PASSWORD_HINT}
            required="Choose a password."
          />
          <FormAlert form={form} />
          <SubmitButton form={form} pendingLabel="Creating account…" class="btn--block">
            Create account
          </SubmitButton>
        </form>
      }
    >
      {(email) => (
        <Notice tone="success" title="Check your email">
          <p>
            We’ve sent a message to <strong>{email()}</strong> with what to do next. No email after a few minutes? Check your spam
            folder, or sign in if you already have an account.
          </p>
        </Notice>
      )}
    </Show>
  );
}
