import { createForm, FormAlert, SubmitButton, TextField } from "~/ui/components";
import type { SlotProps } from "~/ui/plugin-ui";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

/** The password rules the server applies (../service.ts), said up front. */
const PASSWORD_HINT = "At least 10 characters. A long phrase is easier to remember and harder to guess.";

/** The name, email and password form of the sign-up page (slot `signup.forms`). */
export default function SignUpForm(props: SlotProps["signup.forms"]) {
  const session = useSession();
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
      // The new account is signed in; the page moves on once `auth.me` says so.
      await session.refresh();
    },
  });
  return (
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
  );
}
