import { Title } from "@solidjs/meta";
import { useSearchParams, type RouteDefinition } from "@solidjs/router";
import { AuthCard, firstParam, LoginProviders, useContinueWhenSignedIn } from "~/ui/AuthCard";
import { Suspense } from "solid-js";
import { Alert, Link } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { authHref, safeNext } from "~/ui/session";
import { Slot } from "~/ui/Slot";
import { signInErrorMessage } from "~/kernel/auth/provider-errors";

export const route = { info: { breadcrumb: "Sign in", chrome: "focused" } satisfies RouteInfo } satisfies RouteDefinition;

export default function SignIn() {
  const [params] = useSearchParams();
  const next = () => safeNext(params.next);

  // Signed in already (or just now): on to where they were going.
  useContinueWhenSignedIn(next);

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
      <Suspense>
        <Slot name="login.forms" props={{ returnTo: next(), email: firstParam(params.email) }} />
      </Suspense>
    </AuthCard>
  );
}
