/**
 * The synced datasets of the org (on the Data page): each with its rows, last sync and the
 * machine that sent it, then the machines with their lag. Read-only: rows arrive from the CLI.
 */
import { For, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { formatRelative } from "~/ui/format";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";

const count = new Intl.NumberFormat("en");

function lag(seconds: number | null): string {
  if (seconds === null) return "never synced";
  if (seconds < 120) return `${seconds} s behind`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min behind`;
  return `${Math.round(seconds / 3600)} h behind`;
}

export default function SyncedDatasets() {
  const org = useCurrentOrg();
  const [data, { refetch }] = createBrowserResource(
    () => org().id,
    async (orgId) => {
      const [datasets, sources] = await Promise.all([trpc.sync.datasets.list.query({ orgId }), trpc.sync.sources.list.query({ orgId })]);
      return { datasets, sources };
    },
  );
  return (
    <section class="panel" aria-labelledby="synced-datasets-title">
      <header class="settings-section__header">
        <div>
          <h2 id="synced-datasets-title" class="settings-section__title">
            Synced datasets
          </h2>
          <p class="settings-section__lede">
            Tables machines send with <code>atrium sync</code>. Query them by name in the console or in a chart.
          </p>
        </div>
      </header>
      <Show when={data.error}>
        <LoadFailed what="the synced datasets" problem={problemOf(data.error)} onRetry={() => void refetch()} />
      </Show>
      <Show when={data.latest} fallback={<Show when={!data.error}><p class="muted">Loading synced datasets…</p></Show>}>
        {(loaded) => (
          <>
            <Show when={loaded().datasets.length} fallback={<p class="muted">No dataset yet. Run <code>atrium login</code> then <code>atrium sync</code> on a machine.</p>}>
              <table class="table" aria-label="Synced datasets">
                <thead>
                  <tr>
                    <th scope="col">Dataset</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Last sync</th>
                    <th scope="col">By</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={loaded().datasets}>
                    {(d) => (
                      <tr>
                        <td>
                          <code>{d.name}</code>
                        </td>
                        <td>{count.format(d.rowCount)}</td>
                        <td>{d.lastSyncAt ? formatRelative(d.lastSyncAt) : "—"}</td>
                        <td>{d.lastSource ? `${d.lastSource.name} (${d.lastSource.machineId})` : "—"}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
            <Show when={loaded().sources.length}>
              <h3 class="settings-section__subtitle">Machines</h3>
              <ul class="rows" aria-label="Machines that sync">
                <For each={loaded().sources}>
                  {(s) => (
                    <li class="row">
                      <span>
                        <strong>{s.name}</strong> <span class="muted">{s.machineId} · project {s.projectKey}</span>
                      </span>
                      <span class="muted">
                        {s.lastSyncAt ? `last sync ${formatRelative(s.lastSyncAt)}, ${lag(s.lagSeconds)}` : lag(null)} · {count.format(s.rowsSent)} rows sent
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
