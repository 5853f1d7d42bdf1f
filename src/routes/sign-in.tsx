import { Title } from "@solidjs/meta";
import { useSearchParams, type RouteDefinition } from "@solidjs/router";
import { AuthCard, firstParam, LoginProviders, useContinueWhenSignedIn } from "~/ui/AuthCard";
import { Alert, createForm, FormAlert, Link, SubmitButton, TextField } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { authHref, safeNext, useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";
import { signInErrorMessage } from "~/kernel/auth/provider-errors";

export const route = { info: { breadcrumb: "Sign in", chrome: "focused" } satisfies RouteInfo } satisfies RouteDefinition;

export default function SignIn() {
  const [params] = useSearchParams();
  const session = useSession();
  const next = () => safeNext(params.next);

  // Signed in already (or just now): on to where they were going.
  useContinueWhenSignedIn(next);

  const form = createForm({
    action: async (data) => {
      await trpc.authPassword.signIn.mutate({ email: String(data.get("email") ?? ""), password: String(data.get("password") ?? "") });
      await session.refresh();
    },
  });

  return (
    <AuthCard
      title="Sign in to Atrium"
      lede="Welcome back. Sign in to reach your organizations and dashboards."
      footer={
        <>
          New to Atrium? <Link href={authHref("/sign-up", next(), params.email ? { email: firstParam(params.email) } : {})}>Create an account</Link>
        </>
      }
    >
      <Title>Sign in · Atrium</Title>
      {/* A provider sign-in that failed comes back here with ?error=<code>. */}
      <Alert message={signInErrorMessage(firstParam(params.error))} />
      <LoginProviders returnTo={next()} divider="or sign in with your email" />
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField
          form={form}
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          inputmode="email"
          spellcheck={false}
          value={firstParam(params.email)}
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
    </AuthCard>
  );
}
