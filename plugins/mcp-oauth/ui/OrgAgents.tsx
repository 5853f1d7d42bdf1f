/**
 * "AI agents" in org settings, for admins: whether agents are allowed (off, read-only,
 * read-write), every agent connection in the org, each revocable, and the usage dashboard.
 */
import { Show } from "solid-js";
import { Alert, createForm, FormAlert, Notice, SelectField, Spinner, SubmitButton } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { SettingsSection } from "~/ui/settings/Section";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import { AgentUsage } from "./AgentUsage";
import { ConnectionList, type Connection } from "./ConnectionList";

const OPTIONS = [
  { value: "write", label: "Allowed: read and write" },
  { value: "read", label: "Read-only" },
  { value: "off", label: "Off: no agent may act in this organization" },
];

export default function OrgAgents() {
  const org = useCurrentOrg();
  const [settings, settingsActions] = createBrowserResource(() => org().id, (orgId) => trpc.mcpOauth.settings.get.query({ orgId }));
  const [connections, { refetch }] = createBrowserResource(() => org().id, (orgId) => trpc.mcpOauth.connections.org.query({ orgId }));
  const disconnect = async (c: Connection) => {
    await trpc.mcpOauth.connections.revoke.mutate({ orgId: org().id, grantId: c.id });
    await refetch();
  };
  const form = createForm({
    action: async (data) => {
      const agents = String(data.get("agents")) as "off" | "read" | "write";
      await trpc.mcpOauth.settings.update.mutate({ orgId: org().id, agents });
      settingsActions.mutate((s) => (s ? { ...s, agents } : s));
    },
  });
  return (
    <SettingsSection id="ai-agents" title="AI agents" lede="Whether AI agents (MCP clients and personal access tokens used through MCP) may act in this organization, and every one connected.">
      <Show when={settings()} fallback={<Spinner label="Loading…" />}>
        {(s) => (
          <form class="stack" onSubmit={(e) => form.onSubmit(e)}>
            <SelectField form={form} name="agents" label="AI agents allowed" value={s().agents} options={OPTIONS} />
            <Show when={s().serverReadOnly}>
              <Notice tone="info">This server makes every agent read-only, whatever is chosen here.</Notice>
            </Show>
            <FormAlert form={form} />
            <div>
              <SubmitButton form={form} pendingLabel="Saving…">
                Save
              </SubmitButton>
            </div>
          </form>
        )}
      </Show>
      <h3>Connected agents</h3>
      <Show when={!connections.error} fallback={<Alert message={problemOf(connections.error).message} />}>
        <Show when={connections()} fallback={<Spinner label="Loading connected agents…" />}>
          {(list) => (
            <ConnectionList
              connections={list()}
              showPerson
              empty="No agent is connected to this organization."
              onRevoke={disconnect}
            />
          )}
        </Show>
      </Show>
      <AgentUsage orgId={org().id} />
    </SettingsSection>
  );
}
