import { Title } from "@solidjs/meta";
import { useSearchParams, type RouteDefinition } from "@solidjs/router";
import { AuthCard, firstParam, LoginProviders, useContinueWhenSignedIn } from "~/ui/AuthCard";
import { createForm, FormAlert, Link, SubmitButton, TextField } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { authHref, safeNext, useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

export const route = { info: { breadcrumb: "Create account", chrome: "focused" } satisfies RouteInfo } satisfies RouteDefinition;

/** The password rules the server applies (plugins/auth-password), said up front. */
const PASSWORD_HINT = "At least 10 characters. A long phrase is easier to remember and harder to guess.";

export default function SignUp() {
  const [params] = useSearchParams();
  const session = useSession();
  const next = () => safeNext(params.next);

  useContinueWhenSignedIn(next);

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
      // The new account is signed in; the effect above moves on once `auth.me` says so.
      await session.refresh();
    },
  });

  return (
    <AuthCard
      title="Create your Atrium account"
      lede="Build dashboards with your team. We’ll send you a link to confirm your email address."
      footer={
        <>
          Already have an account? <Link href={authHref("/sign-in", next(), params.email ? { email: firstParam(params.email) } : {})}>Sign in</Link>
        </>
      }
    >
      <Title>Create account · Atrium</Title>
      <LoginProviders returnTo={next()} divider="or sign up with your email" />
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
          value={firstParam(params.email)}
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
    </AuthCard>
  );
}
