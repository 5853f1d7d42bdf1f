import { Title } from "@solidjs/meta";
import { useNavigate, useSearchParams, type RouteDefinition } from "@solidjs/router";
import { createEffect, Show } from "solid-js";
import { AuthCard } from "~/ui/AuthCard";
import { createForm, FormAlert, Link, SubmitButton, TextField } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { authHref, safeNext, useSession } from "~/ui/session";
import { Slot, useSlot } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";

export const route = { info: { breadcrumb: "Sign in", chrome: "focused" } satisfies RouteInfo } satisfies RouteDefinition;

function firstOf(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

export default function SignIn() {
  const [params] = useSearchParams();
  const session = useSession();
  const navigate = useNavigate();
  const next = () => safeNext(params.next);
  const providers = useSlot(() => "login.providers");

  // Signed in already (or just now): on to where they were going.
  createEffect(() => {
    if (session.user()) navigate(next(), { replace: true });
  });

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
          New to Atrium? <Link href={authHref("/sign-up", next(), params.email ? { email: firstOf(params.email) } : {})}>Create an account</Link>
        </>
      }
    >
      <Title>Sign in · Atrium</Title>
      <Show when={providers().length > 0}>
        <div class="auth__providers">
          <Slot name="login.providers" props={{ returnTo: next() }} />
        </div>
        <p class="auth__divider">
          <span>or sign in with your email</span>
        </p>
      </Show>
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField
          form={form}
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          inputmode="email"
          spellcheck={false}
          value={firstOf(params.email)}
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
