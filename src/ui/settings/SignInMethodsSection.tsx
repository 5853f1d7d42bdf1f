import { useSearchParams } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { signInErrorMessage } from "~/kernel/auth/provider-errors";
import { Alert, Badge, BusyLabel, Button, createRowAction } from "../components";
import { createBrowserResource, type RouterOutputs } from "../data";
import { formatDateTime, formatRelative } from "../format";
import { Loaded } from "../LoadStates";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { SettingsSection } from "./Section";

type Method = RouterOutputs["signIn"]["methods"]["list"][number];

/** `/auth/<id>/start?next=/account`: linking while signed in. */
function connectHref(providerId: string): string {
  return `/auth/${encodeURIComponent(providerId)}/start?${new URLSearchParams({ next: "/account#sign-in-methods" }).toString()}`;
}

/**
 * Every way the person can sign in (a password, linked OIDC and GitHub identities, whatever
 * plugin keeps them), each linked identity with Unlink, and "Connect <provider>" for the
 * configured providers. The server refuses to remove the last way in; the row says so first.
 */
export default function SignInMethodsSection() {
  const toasts = useToasts();
  const [params, setParams] = useSearchParams();
  const [methods, { refetch }] = createBrowserResource(
    () => "methods",
    () => trpc.signIn.methods.list.query(),
  );
  const [providers] = createBrowserResource(
    () => "providers",
    () => trpc.signIn.providers.query().catch(() => []),
  );
  const [problem, setProblem] = createSignal<string | null>(null);
  // A link that failed at the provider comes back here with ?error=<code>.
  const linkProblem = () => signInErrorMessage(typeof params.error === "string" ? params.error : undefined);

  const unlink = createRowAction(
    async (method: Method) => {
      setProblem(null);
      await trpc.signIn.methods.unlink.mutate({ id: method.id });
      await refetch();
      toasts.success(`Unlinked ${method.label}${method.detail ? ` (${method.detail})` : ""}`);
    },
    (method) => method.id,
    (p) => setProblem(p.message),
  );

  return (
    <SettingsSection
      id="sign-in-methods"
      title="Sign-in methods"
      lede="The ways you can sign in to this account. Connect a provider to sign in with it too; you always keep at least one."
    >
      <Show when={linkProblem()}>
        {(message) => (
          <div class="stack">
            <Alert message={message()} />
            <div>
              <Button variant="ghost" class="btn--compact" onClick={() => setParams({ error: undefined })}>
                Dismiss
              </Button>
            </div>
          </div>
        )}
      </Show>
      <Alert message={problem()} />
      <Loaded of={methods} what="your sign-in methods" onRetry={() => void refetch()}>
        {(list) => (
          <ul class="rows" aria-label="Sign-in methods">
            <For each={list()}>
              {(method) => (
                <li class="row">
                  <div class="row__main">
                    <p class="row__title">
                      {method.label}
                      <Show when={method.current}>
                        {" "}
                        <Badge tone="success">This session</Badge>
                      </Show>
                    </p>
                    <p class="row__meta">
                      {[
                        method.detail,
                        method.kind === "password" ? (method.createdAt ? `set ${formatDateTime(method.createdAt)}` : null) : method.createdAt ? `linked ${formatDateTime(method.createdAt)}` : null,
                        method.lastUsedAt ? `last used ${formatRelative(method.lastUsedAt)}` : null,
                        list().length === 1 ? "your only way to sign in" : null,
                      ]
                        .filter(Boolean)
                        .join(" · ")}
                    </p>
                  </div>
                  <Show when={method.kind !== "password"}>
                    <Button
                      variant="ghost"
                      class="btn--compact btn--danger-text"
                      disabled={unlink.busy(method)}
                      aria-label={`Unlink ${method.label}${method.detail ? ` ${method.detail}` : ""}`}
                      onClick={() => void unlink.run(method)}
                    >
                      <BusyLabel busy={unlink.busy(method)} label="Unlinking…">
                        Unlink
                      </BusyLabel>
                    </Button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
      <Show when={(providers() ?? []).length > 0}>
        <div class="inline-actions" role="group" aria-label="Connect a sign-in provider">
          <For each={providers() ?? []}>
            {(provider) => (
              <a class="btn btn--secondary" href={connectHref(provider.id)} rel="external">
                Connect {provider.name}
              </a>
            )}
          </For>
        </div>
      </Show>
    </SettingsSection>
  );
}
