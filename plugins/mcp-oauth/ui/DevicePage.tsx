/**
 * Where a person connects a device (RFC 8628), such as the `atrium` CLI: they type the code the
 * device shows (or arrive with it in the link), see who is asking, choose the org, scopes and
 * projects as on the consent screen, and approve; the device picks its token up by itself.
 */
import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { Show } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { createAction, createForm, FormAlert, Notice, Spinner, SubmitButton, TextField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { everyProject } from "~/ui/projects";
import { ConsentForm } from "./ConsentForm";
import { createDeviceStore } from "./consent-store";

export default function DevicePage() {
  const [params] = useSearchParams();
  const store = createDeviceStore(firstParam(params.code), {
    get: (input) => trpc.mcpOauth.device.get.query(input),
    projects: (input) => everyProject(input.orgId),
    approve: (input) => trpc.mcpOauth.device.approve.mutate(input),
    deny: (input) => trpc.mcpOauth.device.deny.mutate(input),
  });
  const codeForm = createForm({ action: (data) => store.lookup(String(data.get("userCode") ?? "")) });
  // An org where a share is the person's only access has no project list to choose from.
  const [projects] = createBrowserResource(
    () => {
      const orgId = store.orgId();
      const request = store.request();
      return (request && orgId && !request.orgs.find((o) => o.id === orgId)?.shared && orgId) || false;
    },
    (orgId) => store.projects(orgId),
  );
  const consent = createForm({
    validate: (data): Record<string, string> | null => {
      if (!data.getAll("scopes").length) return { scopes: "Grant at least the read scope" };
      if (data.get("projectMode") === "some" && !data.getAll("projectIds").length) return { projectIds: "Tick at least one project, or allow all of them" };
      return null;
    },
    action: (data) => store.approve(data),
  });
  const deny = createAction(
    () => store.deny(),
    (problem) => consent.fail(problem),
  );

  return (
    <AuthCard title="Connect a device to Atrium">
      <Title>Connect a device · Atrium</Title>
      <Show
        when={store.outcome()}
        fallback={
          <Show
            when={store.request()}
            fallback={
              <form class="stack" onSubmit={(e) => codeForm.onSubmit(e)} novalidate>
                <p>Enter the code shown by the app or terminal you are connecting, for example by <code>atrium login</code>.</p>
                <TextField
                  form={codeForm}
                  name="userCode"
                  label="Code"
                  value={store.code()}
                  required="Enter the code shown by the app"
                  autocomplete="off"
                  autocapitalize="characters"
                  spellcheck={false}
                  hint="8 letters, like BCDF-GHJK"
                />
                <FormAlert form={codeForm} />
                <SubmitButton form={codeForm} pendingLabel="Looking…">
                  Continue
                </SubmitButton>
              </form>
            }
          >
            {(r) => (
              <Show when={store.orgId()} fallback={<Spinner label="Loading…" />}>
                <ConsentForm request={r()} choice={store} projects={projects.error ? [] : projects()} form={consent} deny={deny}>
                  Only approve if you started this on your own device just now. You can disconnect it at any time under Account › Connected apps.
                </ConsentForm>
              </Show>
            )}
          </Show>
        }
      >
        {(o) => (
          <Notice tone={o().approved ? "success" : "info"} title={o().approved ? "Device connected" : "Request denied"}>
            {o().approved ? `${o().client} is connected. Go back to your terminal: it continues by itself.` : `${o().client} was not connected. You can close this page.`}
          </Notice>
        )}
      </Show>
    </AuthCard>
  );
}
