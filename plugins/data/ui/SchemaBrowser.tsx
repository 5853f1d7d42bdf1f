/** The tables a query on the chosen source can read: columns with their types, row estimates. */
import { For, Show } from "solid-js";
import { Badge } from "~/ui/components";
import type { RouterOutputs } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import type { Problem } from "~/ui/problems";

export type TableInfo = RouterOutputs["data"]["describeTables"]["tables"][number];

const numberFormat = new Intl.NumberFormat("en");

export function SchemaBrowser(props: { tables: readonly TableInfo[] | undefined; problem: Problem | null; loading: boolean; onRetry: () => void }) {
  return (
    <section class="panel" aria-labelledby="data-schema-title" aria-busy={props.loading}>
      <header class="settings-section__header">
        <div>
          <h2 id="data-schema-title" class="settings-section__title">
            Tables
          </h2>
          <p class="settings-section__lede">Open a table to see its columns. Row counts are the database’s estimates.</p>
        </div>
      </header>
      <Show when={props.problem}>{(problem) => <LoadFailed what="the tables" problem={problem()} onRetry={() => props.onRetry()} />}</Show>
      <Show when={props.tables} fallback={<Show when={!props.problem}><p class="muted">Loading tables…</p></Show>}>
        {(tables) => (
          <Show when={tables().length} fallback={<p class="muted">No tables yet. Upload a CSV file or load the sample data.</p>}>
            <ul class="rows" aria-label="Tables">
              <For each={tables()}>
                {(table) => (
                  <li class="row" style={{ display: "block" }}>
                    <details>
                      <summary>
                        <span class="mono">
                          {table.schema}.{table.name}
                        </span>{" "}
                        <Show when={table.kind !== "table"}>
                          <Badge>{table.kind}</Badge>{" "}
                        </Show>
                        <span class="muted">
                          {table.rowEstimate === null ? "rows not counted yet" : `≈ ${numberFormat.format(table.rowEstimate)} rows`} · {table.columns.length} columns
                        </span>
                      </summary>
                      <div class="table-wrap">
                        <table class="table">
                          <caption class="visually-hidden">
                            Columns of {table.schema}.{table.name}
                          </caption>
                          <thead>
                            <tr>
                              <th scope="col">Column</th>
                              <th scope="col">Type</th>
                              <th scope="col">Nullable</th>
                            </tr>
                          </thead>
                          <tbody>
                            <For each={table.columns}>
                              {(column) => (
                                <tr>
                                  <td class="mono">{column.name}</td>
                                  <td class="mono">{column.type}</td>
                                  <td>{column.nullable ? "yes" : "no"}</td>
                                </tr>
                              )}
                            </For>
                          </tbody>
                        </table>
                      </div>
                    </details>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  );
}
