/**
 * The consent screen an MCP client sends its person to: who is asking (name and origin), which
 * org, what it may do (read; write only if ticked) and which projects (all, or the ones ticked).
 * Allow sends the browser back to the client with a code; Deny with access_denied.
 */
import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { createEffect, Show } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { Alert, createAction, createForm, Spinner } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { everyProject } from "~/ui/projects";
import { ConsentForm } from "./ConsentForm";
import { createConsentStore } from "./consent-store";

export default function ConsentPage() {
  const [params] = useSearchParams();
  const store = createConsentStore(firstParam(params.request), {
    get: (input) => trpc.mcpOauth.consent.get.query(input),
    projects: (input) => everyProject(input.orgId),
    approve: (input) => trpc.mcpOauth.consent.approve.mutate(input),
    deny: (input) => trpc.mcpOauth.consent.deny.mutate(input),
  });
  const [request] = createBrowserResource(() => store.requestId || false, () => store.load());
  createEffect(() => {
    const first = request()?.orgs.find((o) => o.agents !== "off") ?? request()?.orgs[0];
    if (first && !store.orgId()) store.setOrgId(first.id);
  });
  // An org where a share is the person's only access has no project list to choose from.
  const [projects] = createBrowserResource(
    () => {
      const orgId = store.orgId();
      const shared = !request.error && request()?.orgs.find((o) => o.id === orgId)?.shared;
      return (orgId && !shared && orgId) || false;
    },
    (orgId) => store.projects(orgId),
  );

  const form = createForm({
    validate: (data): Record<string, string> | null => {
      if (!data.getAll("scopes").length) return { scopes: "Grant at least the read scope" };
      if (data.get("projectMode") === "some" && !data.getAll("projectIds").length) return { projectIds: "Tick at least one project, or allow all of them" };
      return null;
    },
    action: async (data) => {
      window.location.assign(await store.approve(data));
    },
  });
  const deny = createAction(
    async () => window.location.assign(await store.deny()),
    (problem) => form.fail(problem),
  );

  return (
    <AuthCard title="Connect an app to Atrium">
      <Title>Connect an app · Atrium</Title>
      <Show when={store.requestId} fallback={<Alert message="This link is incomplete: start connecting again from the app." />}>
        <Show when={!request.error} fallback={<Alert message={problemOf(request.error).message} />}>
          <Show when={request()} fallback={<Spinner label="Loading the request…" />}>
            {(r) => (
              <ConsentForm request={r()} choice={store} projects={projects.error ? [] : projects()} form={form} deny={deny}>
                You can disconnect it at any time under Account › Connected apps. It will send you back to <code>{r().client.redirectUri}</code>.
              </ConsentForm>
            )}
          </Show>
        </Show>
      </Show>
    </AuthCard>
  );
}
