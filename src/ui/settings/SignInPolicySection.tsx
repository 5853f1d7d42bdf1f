import { createSignal, Show } from "solid-js";
import { createForm, FormAlert, Notice, SelectField, SubmitButton, TextField } from "../components";
import { createBrowserResource } from "../data";
import { formatDateTime } from "../format";
import { Loaded } from "../LoadStates";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { useCurrentOrg } from "../workspace";
import { SettingsSection } from "./Section";

const ROLE_OPTIONS = [
  { value: "viewer", label: "Viewer" },
  { value: "editor", label: "Editor" },
  { value: "admin", label: "Admin" },
];

/**
 * The org's sign-in policy (slot `org.settings.sections`, capability `org.update`): require one
 * provider for every member's session, and let people with a provider-verified address at the
 * org's domain join by signing in.
 */
export default function SignInPolicySection() {
  const org = useCurrentOrg();
  const toasts = useToasts();
  const [version, setVersion] = createSignal(0);
  const [policy, { refetch }] = createBrowserResource(
    () => `${org().id}:${version()}`,
    () => trpc.signIn.policy.get.query({ orgId: org().id }),
  );

  const form = createForm({
    action: async (data) => {
      await trpc.signIn.policy.update.mutate({
        orgId: org().id,
        requiredProvider: String(data.get("requiredProvider") ?? "") || null,
        autoJoinDomain: String(data.get("autoJoinDomain") ?? "").trim() || null,
        autoJoinRole: String(data.get("autoJoinRole") ?? "viewer"),
      });
      setVersion((v) => v + 1);
      toasts.success("Sign-in policy saved");
    },
  });

  return (
    <SettingsSection
      id="sign-in-policy"
      title="Sign-in policy"
      lede="Require your identity provider for everyone in this organization, and let colleagues join by signing in with it."
    >
      <Loaded of={policy} what="the sign-in policy" onRetry={() => void refetch()}>
        {(p) => (
          <div class="stack">
            <Show when={p().requiredProviderName}>
              {(name) => (
                <Notice tone="info" title={`Members must sign in with ${name()}`}>
                  Sessions signed in another way are refused in this organization, and so are access tokens created before{" "}
                  {p().requiredSince ? formatDateTime(p().requiredSince!) : "the requirement"}.
                </Notice>
              )}
            </Show>
            <form class="form form--grid" onSubmit={(event) => form.onSubmit(event)} novalidate aria-label="Sign-in policy">
              <SelectField
                form={form}
                name="requiredProvider"
                label="Required sign-in"
                hint={
                  p().currentProvider
                    ? `You are signed in with ${p().providers.find((x) => x.id === p().currentProvider)?.name ?? p().currentProvider}; you can only require the provider you are signed in with.`
                    : "You can only require a provider you are signed in with now, so you cannot lock yourself out."
                }
                value={p().requiredProvider ?? ""}
                options={[{ value: "", label: "Any way of signing in" }, ...p().providers.map((x) => ({ value: x.id, label: x.name }))]}
              />
              <TextField
                form={form}
                name="autoJoinDomain"
                label="Auto-join domain"
                hint={p().myDomain ? `People with a provider-verified address at this domain join when they sign in. Only your own domain (${p().myDomain}) can be used.` : "Verify your own email address first: only your own domain can be used."}
                value={p().autoJoinDomain ?? ""}
                placeholder={p().myDomain ?? "example.com"}
                spellcheck={false}
                autocomplete="off"
              />
              <SelectField form={form} name="autoJoinRole" label="They join as" hint="Never owner." value={p().autoJoinRole} options={ROLE_OPTIONS} />
              <div class="form--grid__wide">
                <SubmitButton form={form} pendingLabel="Saving…">
                  Save sign-in policy
                </SubmitButton>
              </div>
              <div class="form--grid__wide">
                <FormAlert form={form} />
              </div>
            </form>
          </div>
        )}
      </Loaded>
    </SettingsSection>
  );
}
