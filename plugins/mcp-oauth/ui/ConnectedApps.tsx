/** "Connected apps" on the account page: the person's MCP clients in every org, each revocable. */
import { Show } from "solid-js";
import { Alert, Spinner } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { SettingsSection } from "~/ui/settings/Section";
import { trpc } from "~/ui/trpc";
import { ConnectionList, type Connection } from "./ConnectionList";

export default function ConnectedApps() {
  const [connections, { refetch }] = createBrowserResource(() => true, () => trpc.mcpOauth.connections.mine.query());
  const disconnect = async (c: Connection) => {
    await trpc.mcpOauth.connections.revokeMine.mutate({ grantId: c.id });
    await refetch();
  };
  return (
    <SettingsSection id="connected-apps" title="Connected apps" lede="AI agents you allowed to act for you through Atrium's MCP server. Disconnecting one ends its access at once.">
      <Show when={!connections.error} fallback={<Alert message={problemOf(connections.error).message} />}>
        <Show when={connections()} fallback={<Spinner label="Loading connected apps…" />}>
          {(list) => (
            <ConnectionList
              connections={list()}
              empty="No connected apps yet."
              onRevoke={disconnect}
            />
          )}
        </Show>
      </Show>
    </SettingsSection>
  );
}
