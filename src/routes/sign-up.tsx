import { Title } from "@solidjs/meta";
import { useSearchParams, type RouteDefinition } from "@solidjs/router";
import { AuthCard, firstParam, LoginProviders, useContinueWhenSignedIn } from "~/ui/AuthCard";
import { Suspense } from "solid-js";
import { Link } from "~/ui/components";
import type { RouteInfo } from "~/ui/plugin-ui";
import { authHref, safeNext } from "~/ui/session";
import { Slot } from "~/ui/Slot";

export const route = { info: { breadcrumb: "Create account", chrome: "focused" } satisfies RouteInfo } satisfies RouteDefinition;

export default function SignUp() {
  const [params] = useSearchParams();
  const next = () => safeNext(params.next);

  useContinueWhenSignedIn(next);

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
      <Suspense>
        <Slot name="signup.forms" props={{ returnTo: next(), email: firstParam(params.email) }} />
      </Suspense>
    </AuthCard>
  );
}
