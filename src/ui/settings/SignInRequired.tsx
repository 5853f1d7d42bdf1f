import { Show } from "solid-js";
import type { Problem } from "../problems";

/**
 * The provider an org's sign-in policy requires, when a call was refused for it: the server
 * names it in the field key `signInWith.<id>` (src/kernel/auth/policy.ts) and in the message
 * ("This organization requires signing in with <name>.").
 */
export function requiredSignIn(problem: Problem | null | undefined): { id: string; name: string } | null {
  if (!problem || problem.code !== "FORBIDDEN") return null;
  const key = Object.keys(problem.fieldErrors).find((k) => k.startsWith("signInWith."));
  if (!key) return null;
  const id = key.slice("signInWith.".length);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(id)) return null;
  const name = /requires signing in with (.+?)\.?$/.exec(problem.message)?.[1] ?? id;
  return { id, name };
}

/** "Sign in with <provider>", back to this page afterwards, for a call refused by an org's sign-in policy. */
export function SignInRequiredAction(props: { problem: Problem | null | undefined }) {
  const required = () => requiredSignIn(props.problem);
  const href = (id: string) => {
    const here = typeof location === "undefined" ? "/" : `${location.pathname}${location.search}`;
    return `/auth/${encodeURIComponent(id)}/start?${new URLSearchParams({ next: here }).toString()}`;
  };
  return (
    <Show when={required()}>
      {(r) => (
        <a class="btn btn--primary" href={href(r().id)} rel="external">
          Sign in with {r().name}
        </a>
      )}
    </Show>
  );
}
