/** The visual query's lists: dimensions (with truncation), measures, filters and sort. */
import { For, Show } from "solid-js";
import { Button } from "~/ui/components";
import { ChoiceSelect, ColumnSelect, Field } from "./builder-fields";
import { FILTER_OPS, MEASURE_FNS, parseFilterValue, TRUNCATE_UNITS, type ChartBuilderStore } from "./chart-builder-store";

type Props = { store: ChartBuilderStore };

function RemoveButton(props: { label: string; onClick: () => void }) {
  return (
    <Button class="btn--compact" variant="ghost" aria-label={props.label} onClick={() => props.onClick()}>
      Remove
    </Button>
  );
}

export function DimensionsList(props: Props) {
  const store = () => props.store;
  return (
    <fieldset class="fieldset stack">
      <legend class="field__label">Dimensions (group by)</legend>
      <For each={store().visual.dimensions ?? []}>
        {(d, i) => (
          <div class="dash-builder-item">
            <Field id={`vb-dim-${i()}`} label={`Dimension ${i() + 1} column`}>
              <ColumnSelect id={`vb-dim-${i()}`} value={d.column} onChange={(v) => store().dimensions.update(i(), { column: v })} options={store().columns()} />
            </Field>
            <Field id={`vb-dim-${i()}-trunc`} label={`Dimension ${i() + 1} truncate`}>
              <ChoiceSelect id={`vb-dim-${i()}-trunc`} value={d.truncate} empty="No truncation" choices={TRUNCATE_UNITS} onChange={(v) => store().dimensions.update(i(), { truncate: v || undefined })} />
            </Field>
            <RemoveButton label={`Remove dimension ${i() + 1}`} onClick={() => store().dimensions.remove(i())} />
          </div>
        )}
      </For>
      <div>
        <Button class="btn--compact" disabled={!store().columns().length} onClick={() => store().dimensions.add({ column: store().columns()[0] ?? "" })}>
          Add dimension
        </Button>
      </div>
    </fieldset>
  );
}

export function MeasuresList(props: Props) {
  const store = () => props.store;
  return (
    <fieldset class="fieldset stack">
      <legend class="field__label">Measures</legend>
      <For each={store().visual.measures ?? []}>
        {(m, i) => (
          <div class="dash-builder-item">
            <Field id={`vb-m-${i()}-fn`} label={`Measure ${i() + 1} function`}>
              <ChoiceSelect id={`vb-m-${i()}-fn`} value={m.fn} choices={MEASURE_FNS} onChange={(v) => store().measures.update(i(), { fn: v })} />
            </Field>
            <Field id={`vb-m-${i()}-col`} label={`Measure ${i() + 1} column`}>
              <ColumnSelect
                id={`vb-m-${i()}-col`}
                value={m.column ?? ""}
                onChange={(v) => store().measures.update(i(), { column: v || undefined })}
                options={store().columns()}
                empty={m.fn === "count" ? "(rows)" : undefined}
              />
            </Field>
            <RemoveButton label={`Remove measure ${i() + 1}`} onClick={() => store().measures.remove(i())} />
          </div>
        )}
      </For>
      <div>
        <Button class="btn--compact" disabled={!store().columns().length} onClick={() => store().measures.add({ fn: "count" })}>
          Add measure
        </Button>
      </div>
    </fieldset>
  );
}

function filterText(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  return value === null || value === undefined ? "" : String(value);
}

export function FiltersList(props: Props) {
  const store = () => props.store;
  return (
    <fieldset class="fieldset stack">
      <legend class="field__label">Filters</legend>
      <For each={store().visual.filters ?? []}>
        {(f, i) => (
          <div class="dash-builder-item">
            <Field id={`vb-f-${i()}-col`} label={`Filter ${i() + 1} column`}>
              <ColumnSelect id={`vb-f-${i()}-col`} value={f.column} onChange={(v) => store().filters.update(i(), { column: v })} options={store().columns()} />
            </Field>
            <Field id={`vb-f-${i()}-op`} label={`Filter ${i() + 1} operator`}>
              <ChoiceSelect id={`vb-f-${i()}-op`} value={f.op} choices={FILTER_OPS} onChange={(v) => store().filters.update(i(), { op: v })} />
            </Field>
            <Show when={f.op !== "is_null" && f.op !== "not_null"}>
              <Field id={`vb-f-${i()}-value`} label={`Filter ${i() + 1} value`} hint="A value, a list with commas (in, between), or {{variable}}">
                <input
                  id={`vb-f-${i()}-value`}
                  class="input"
                  value={filterText(f.value)}
                  onChange={(e) => store().filters.update(i(), { value: parseFilterValue(f.op, e.currentTarget.value) as never })}
                />
              </Field>
            </Show>
            <RemoveButton label={`Remove filter ${i() + 1}`} onClick={() => store().filters.remove(i())} />
          </div>
        )}
      </For>
      <div>
        <Button class="btn--compact" disabled={!store().columns().length} onClick={() => store().filters.add({ column: store().columns()[0] ?? "", op: "eq", value: "" })}>
          Add filter
        </Button>
      </div>
    </fieldset>
  );
}

export function SortList(props: Props) {
  const store = () => props.store;
  return (
    <fieldset class="fieldset stack">
      <legend class="field__label">Sort</legend>
      <For each={store().visual.sort ?? []}>
        {(s, i) => (
          <div class="dash-builder-item">
            <Field id={`vb-s-${i()}-by`} label={`Sort ${i() + 1} by`}>
              <ColumnSelect id={`vb-s-${i()}-by`} value={s.by} onChange={(v) => store().sorts.update(i(), { by: v })} options={store().outputColumns()} />
            </Field>
            <Field id={`vb-s-${i()}-dir`} label={`Sort ${i() + 1} direction`}>
              <ChoiceSelect id={`vb-s-${i()}-dir`} value={s.dir ?? "asc"} choices={["asc", "desc"] as const} labels={{ asc: "ascending", desc: "descending" }} onChange={(v) => store().sorts.update(i(), { dir: v })} />
            </Field>
            <RemoveButton label={`Remove sort ${i() + 1}`} onClick={() => store().sorts.remove(i())} />
          </div>
        )}
      </For>
      <div>
        <Button class="btn--compact" disabled={!store().outputColumns().length} onClick={() => store().sorts.add({ by: store().outputColumns()[0] ?? "", dir: "desc" })}>
          Add sort
        </Button>
      </div>
    </fieldset>
  );
}
