/**
 * The decision both consent screens share (an MCP client's authorization request, a device's
 * user code): who is asking, which org, what it may do (read; write only if ticked) and which
 * projects (all, or the ones ticked), then Allow or Deny.
 */
import { Show, type ParentProps } from "solid-js";
import { Button, CheckboxGroup, type createAction, type createForm, FormAlert, Notice, SelectField, Spinner, SubmitButton } from "~/ui/components";
import { writeAllowed, type ConsentChoice, type ConsentRequest } from "./consent-store";

export function ConsentForm(props: ParentProps<{
  request: ConsentRequest;
  choice: ConsentChoice;
  projects: Array<{ id: string; name: string }> | undefined;
  form: ReturnType<typeof createForm>;
  deny: ReturnType<typeof createAction<[]>>;
}>) {
  const org = () => props.request.orgs.find((o) => o.id === props.choice.orgId());
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
        value={props.choice.orgId()}
        options={props.request.orgs.map((o) => ({ value: o.id, label: o.agents === "off" ? `${o.name} (agents turned off)` : o.name }))}
        onChange={(e) => props.choice.setOrgId((e.currentTarget as HTMLSelectElement).value)}
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
      <Show when={org()?.shared}>
        <Notice tone="info">Something is shared with you in this organization: the app reaches only what is shared with you there, and stops reaching it when the share ends.</Notice>
      </Show>
      <fieldset class="field" hidden={org()?.shared}>
        <legend class="field__label">Which projects</legend>
        <label class="check">
          <input type="radio" name="projectMode" value="all" checked={!props.choice.narrow()} onChange={() => props.choice.setNarrow(false)} />
          <span class="check__label">Every project I can see</span>
        </label>
        <label class="check">
          <input type="radio" name="projectMode" value="some" checked={props.choice.narrow()} onChange={() => props.choice.setNarrow(true)} />
          <span class="check__label">Only the projects I choose</span>
        </label>
      </fieldset>
      <Show when={props.choice.narrow() && !org()?.shared}>
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
      <p class="muted">{props.children}</p>
    </form>
  );
}
