import { createResource, createSignal, For, onMount } from "solid-js";
import { trpc } from "~/ui/trpc";

/** `/auth/<id>/start?next=…` for one provider. */
export function startHref(providerId: string, returnTo: string | undefined): string {
  const base = `/auth/${encodeURIComponent(providerId)}/start`;
  return returnTo && returnTo !== "/" ? `${base}?${new URLSearchParams({ next: returnTo }).toString()}` : base;
}

/** The configured providers' buttons (slot `login.providers`). */
export default function ProviderButtons(props: { returnTo?: string }) {
  const [mounted, setMounted] = createSignal(false);
  onMount(() => setMounted(true));
  const [providers] = createResource(mounted, () => trpc.authOidc.providers.query().catch(() => []));
  return (
    <For each={providers() ?? []}>
      {(provider) => (
        <a class="btn btn--secondary btn--block" href={startHref(provider.id, props.returnTo)} rel="external">
          Sign in with {provider.name}
        </a>
      )}
    </For>
  );
}
