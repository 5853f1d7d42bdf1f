/** The visual query: a table and row limit, its lists, and the SQL it compiles to (live), with "Switch to SQL". */
import { For, Show } from "solid-js";
import { Button } from "~/ui/components";
import { Field } from "./builder-fields";
import { tableRef, type ChartBuilderStore } from "./chart-builder-store";
import { DimensionsList, FiltersList, MeasuresList, SortList } from "./VisualLists";

export function VisualQueryEditor(props: { store: ChartBuilderStore; compiled: ReturnType<ChartBuilderStore["compiled"]> }) {
  const store = () => props.store;
  return (
    <div class="stack">
      <div class="dash-builder-fields">
        <Field id="vb-table" label="Table">
          <select id="vb-table" class="input select" onChange={(e) => store().pickTable(e.currentTarget.value)}>
            <option value="" selected={!store().visual.table}>
              {store().tables() ? "Pick a table" : "Loading tables…"}
            </option>
            <For each={store().tables() ?? []}>
              {(t) => (
                <option value={tableRef(t)} selected={tableRef(t) === store().visual.table}>
                  {t.schema}.{t.name}
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field id="vb-limit" label="Row limit">
          <input id="vb-limit" class="input" type="number" min="1" max="10000" value={store().visual.limit ?? 1000} onChange={(e) => store().setLimit(e.currentTarget.value)} />
        </Field>
      </div>

      <DimensionsList store={store()} />
      <MeasuresList store={store()} />
      <FiltersList store={store()} />
      <SortList store={store()} />

      <div class="stack">
        <h3 id="vb-sql-title" class="field__label">
          SQL
        </h3>
        <Show when={props.compiled} fallback={<p class="muted">{store().visual.table ? "Compiling…" : "Pick a table to see the SQL."}</p>}>
          {(c) => (
            <Show
              when={c().ok}
              fallback={
                <ul class="dash-errors" aria-label="Query problems">
                  <For each={(c() as { errors?: { message: string; hint: string }[] }).errors ?? []}>
                    {(e) => (
                      <li>
                        {e.message}. {e.hint}
                      </li>
                    )}
                  </For>
                </ul>
              }
            >
              <pre class="dash-sql" aria-labelledby="vb-sql-title" data-testid="compiled-sql">
                {store().currentSql()}
              </pre>
            </Show>
          )}
        </Show>
        <div>
          <Button onClick={() => store().switchToSql()} disabled={!store().currentSql()}>
            Switch to SQL
          </Button>
        </div>
      </div>
    </div>
  );
}
