import { createForm, FormAlert, Link, SubmitButton, TextField } from "~/ui/components";
import type { SlotProps } from "~/ui/plugin-ui";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

/** The email and password form of the sign-in page (slot `login.forms`). */
export default function SignInForm(props: SlotProps["login.forms"]) {
  const session = useSession();
  const form = createForm({
    action: async (data) => {
      await trpc.authPassword.signIn.mutate({ email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") });
      // The page moves on once `auth.me` says who is signed in.
      await session.refresh();
    },
  });
  return (
    <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
      <TextField
        form={form}
        name="email"
        label="Email"
        type="email"
        autocomplete="username"
        inputmode="email"
        spellcheck={false}
        value={props.email}
        required="Enter your email address."
      />
      <div class="field-group">
        <TextField form={form} name="password" label="Password" type="password" autocomplete="current-password" required="Enter your password." />
        <Link href="/forgot-password" class="field-group__aside">
          Forgot password?
        </Link>
      </div>
      <FormAlert form={form} />
      <SubmitButton form={form} pendingLabel="Signing in…" class="btn--block">
        Sign in
      </SubmitButton>
    </form>
  );
}
