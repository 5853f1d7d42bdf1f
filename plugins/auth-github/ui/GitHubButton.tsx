import { createResource, createSignal, onMount, Show } from "solid-js";
import { trpc } from "~/ui/trpc";

/** `/auth/<id>/start?next=…`. */
function startHref(providerId: string, returnTo: string | undefined): string {
  const base = `/auth/${encodeURIComponent(providerId)}/start`;
  return returnTo && returnTo !== "/" ? `${base}?${new URLSearchParams({ next: returnTo }).toString()}` : base;
}

/** "Sign in with GitHub", when the server has GitHub sign-in configured (slot `login.providers`). */
export default function GitHubButton(props: { returnTo?: string }) {
  const [mounted, setMounted] = createSignal(false);
  onMount(() => setMounted(true));
  const [providers] = createResource(mounted, () => trpc.signIn.providers.query().catch(() => []));
  const github = () => (providers() ?? []).find((p) => p.kind === "github");
  return (
    <Show when={github()}>
      {(provider) => (
        <a class="btn btn--secondary btn--block" href={startHref(provider().id, props.returnTo)} rel="external">
          Sign in with {provider().name}
        </a>
      )}
    </Show>
  );
}
