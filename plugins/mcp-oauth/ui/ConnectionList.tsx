/**
 * A list of agent connections (connected apps): the client and where it comes from, the org,
 * the scopes, the projects, when it was last used and how many calls it made; each with a
 * Disconnect button. Used by the account page (the person's own) and org settings (every one).
 */
import { For, Show } from "solid-js";
import { Alert, Button, createRowAction, EmptyState } from "~/ui/components";
import type { RouterOutputs } from "~/ui/data";
import { formatRelative } from "~/ui/format";
import { createSignal } from "solid-js";

export type Connection = RouterOutputs["mcpOauth"]["connections"]["mine"][number];

export function ConnectionList(props: { connections: Connection[]; showPerson?: boolean; onRevoke: (connection: Connection) => Promise<unknown>; empty: string }) {
  const [problem, setProblem] = createSignal<string | null>(null);
  const revoke = createRowAction((c: Connection) => props.onRevoke(c), (c) => c.id, (p) => setProblem(p.message));
  return (
    <div class="stack">
      <Alert message={problem()} />
      <Show when={props.connections.length} fallback={<EmptyState title={props.empty} />}>
        <ul class="list" aria-label="Connected apps">
          <For each={props.connections}>
            {(c) => (
              <li class="list__item">
                <div class="stack">
                  <p>
                    <strong>{c.client.name}</strong> <span class="muted">{c.client.origin}</span>
                  </p>
                  <p class="muted">
                    {c.orgName} · {c.scopes.join(" and ")} · {c.projects === null ? "every project" : c.projects.map((p) => p.name).join(", ")}
                    <Show when={props.showPerson}> · for {c.person.name || c.person.email}</Show>
                  </p>
                  <p class="muted">
                    {c.lastUsedAt ? `Last used ${formatRelative(c.lastUsedAt)}` : "Never used"} · {c.calls} {c.calls === 1 ? "call" : "calls"}
                  </p>
                </div>
                <Button onClick={() => void revoke.run(c)} disabled={revoke.busy(c)} aria-label={`Disconnect ${c.client.name}`}>
                  {revoke.busy(c) ? "Disconnecting…" : "Disconnect"}
                </Button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
