/**
 * The consent screen an MCP client sends its person to: who is asking (name and origin), which
 * org, what it may do (read; write only if ticked) and which projects (all, or the ones ticked).
 * Allow sends the browser back to the client with a code; Deny with access_denied.
 */
import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { createEffect, For, Show } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { Alert, Button, CheckboxGroup, createAction, createForm, FormAlert, Notice, SelectField, Spinner, SubmitButton } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { createConsentStore, writeAllowed, type ConsentRequest } from "./consent-store";

export default function ConsentPage() {
  const [params] = useSearchParams();
  const store = createConsentStore(firstParam(params.request), {
    get: (input) => trpc.mcpOauth.consent.get.query(input),
    projects: (input) => trpc.projects.list.query({ ...input, includeArchived: false }),
    approve: (input) => trpc.mcpOauth.consent.approve.mutate(input),
    deny: (input) => trpc.mcpOauth.consent.deny.mutate(input),
  });
  const [request] = createBrowserResource(() => store.requestId || false, () => store.load());
  createEffect(() => {
    const first = request()?.orgs.find((o) => o.agents !== "off") ?? request()?.orgs[0];
    if (first && !store.orgId()) store.setOrgId(first.id);
  });
  const [projects] = createBrowserResource(() => store.orgId() || false, (orgId) => store.projects(orgId));

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
            {(r) => <ConsentForm request={r()} store={store} projects={projects()} form={form} deny={deny} />}
          </Show>
        </Show>
      </Show>
    </AuthCard>
  );
}

function ConsentForm(props: {
  request: ConsentRequest;
  store: ReturnType<typeof createConsentStore>;
  projects: Array<{ id: string; name: string }> | undefined;
  form: ReturnType<typeof createForm>;
  deny: ReturnType<typeof createAction<[]>>;
}) {
  const org = () => props.request.orgs.find((o) => o.id === props.store.orgId());
  const canWrite = () => writeAllowed(props.request, org());
  return (
    <form class="stack" onSubmit={(e) => props.form.onSubmit(e)} novalidate>
      <p>
        <strong>{props.request.client.name}</strong> <span class="muted">({props.request.client.origin})</span> wants to act for you through
        Atrium's MCP server. It can do no more than you can, and only what you allow here.
      </p>
      <SelectField
        form={props.form}
        name="orgId"
        label="Organization"
        value={props.store.orgId()}
        options={props.request.orgs.map((o) => ({ value: o.id, label: o.agents === "off" ? `${o.name} (agents turned off)` : o.name }))}
        onChange={(e) => props.store.setOrgId((e.currentTarget as HTMLSelectElement).value)}
      />
      <Show when={org()?.agents === "off"}>
        <Notice tone="warning">AI agents are turned off in this organization. Choose another, or ask an admin to allow them.</Notice>
      </Show>
      <CheckboxGroup
        form={props.form}
        name="scopes"
        legend="What it may do"
        checked={["read"]}
        options={[
          { value: "read", label: "Read", description: "See projects, dashboards and data sources, and run read-only queries." },
          ...(canWrite() ? [{ value: "write", label: "Write", description: "Also create, change and delete dashboards, projects and data sources." }] : []),
        ]}
        hint={canWrite() ? `It asked for: ${props.request.requestedScopes.join(", ")}. Only what you tick is granted.` : "Agents are read-only in this organization."}
      />
      <fieldset class="field">
        <legend class="field__label">Which projects</legend>
        <label class="check">
          <input type="radio" name="projectMode" value="all" checked={!props.store.narrow()} onChange={() => props.store.setNarrow(false)} />
          <span class="check__label">Every project I can see</span>
        </label>
        <label class="check">
          <input type="radio" name="projectMode" value="some" checked={props.store.narrow()} onChange={() => props.store.setNarrow(true)} />
          <span class="check__label">Only the projects I choose</span>
        </label>
      </fieldset>
      <Show when={props.store.narrow()}>
        <Show when={props.projects} fallback={<Spinner label="Loading projects…" />}>
          {(list) => (
            <CheckboxGroup form={props.form} name="projectIds" legend="Projects it may reach" options={list().map((p) => ({ value: p.id, label: p.name }))} checked={[]} />
          )}
        </Show>
      </Show>
      <FormAlert form={props.form} />
      <div class="auth__actions">
        <SubmitButton form={props.form} pendingLabel="Allowing…">
          Allow
        </SubmitButton>
        <Button onClick={() => void props.deny.run()} disabled={props.deny.pending()}>
          Deny
        </Button>
      </div>
      <p class="muted">
        You can disconnect it at any time under Account › Connected apps. It will send you back to <For each={[props.request.client.redirectUri]}>{(u) => <code>{u}</code>}</For>.
      </p>
    </form>
  );
}
