/** The chart builder's "Chart" panel: title, id, type and the type's settings, and Save. */
import { Show } from "solid-js";
import { BusyLabel, Button } from "~/ui/components";
import { ChoiceSelect, ColumnSelect, Field } from "./builder-fields";
import { BUILDER_TYPES, type ChartBuilderStore } from "./chart-builder-store";

export function ChartSettingsPanel(props: { store: ChartBuilderStore; onSave: () => void }) {
  const store = () => props.store;
  const settings = () => props.store.settings;
  const columns = () => store().outputColumns();
  const formatInput = () => (
    <input id="cs-format" class="input input--mono" value={settings().yFormat} placeholder=",.0f" maxLength={60} onInput={(e) => store().setSetting("yFormat", e.currentTarget.value.trim())} />
  );
  return (
    <section class="panel stack" aria-labelledby="settings-title">
      <h2 id="settings-title" class="panel__title">
        Chart
      </h2>
      <div class="dash-builder-fields">
        <Field id="cs-title" label="Title">
          <input id="cs-title" class="input" value={settings().title} maxLength={200} onInput={(e) => store().setSetting("title", e.currentTarget.value)} />
        </Field>
        <Field id="cs-id" label="Chart id">
          <input id="cs-id" class="input input--mono" value={settings().id} readOnly={!!store().existing} maxLength={63} onInput={(e) => store().setSetting("id", e.currentTarget.value.trim())} />
        </Field>
        <Field id="cs-type" label="Chart type">
          <ChoiceSelect id="cs-type" value={settings().type} choices={BUILDER_TYPES} onChange={(v) => store().setSetting("type", v)} />
        </Field>
        <Show when={settings().type !== "kpi" && settings().type !== "table"}>
          <Field id="cs-x" label={xLabel(settings().type)}>
            <ColumnSelect id="cs-x" value={settings().x} onChange={(v) => store().setSetting("x", v)} options={columns()} />
          </Field>
          <Show when={settings().type !== "histogram"}>
            <Field id="cs-y" label={yLabel(settings().type)}>
              <ColumnSelect id="cs-y" value={settings().y} onChange={(v) => store().setSetting("y", v)} options={columns()} />
            </Field>
          </Show>
          <Show when={settings().type !== "pie" && settings().type !== "spark_bar"}>
            <Field id="cs-color" label={settings().type === "heatmap" ? "Value (color)" : "Color (series)"}>
              <ColumnSelect id="cs-color" value={settings().color} onChange={(v) => store().setSetting("color", v)} options={columns()} empty={settings().type === "heatmap" ? undefined : "None"} />
            </Field>
          </Show>
          <Show when={settings().type !== "histogram" && settings().type !== "heatmap"}>
            <Field id="cs-sort" label="Sort by">
              <ChoiceSelect id="cs-sort" value={settings().sortBy} empty="Query order" choices={["x", "y"]} onChange={(v) => store().setSetting("sortBy", v)} />
            </Field>
          </Show>
          <Show when={settings().sortBy && settings().type !== "histogram" && settings().type !== "heatmap"}>
            <Field id="cs-sort-dir" label="Sort direction">
              <ChoiceSelect id="cs-sort-dir" value={settings().sortDir} choices={["asc", "desc"] as const} labels={{ asc: "ascending", desc: "descending" }} onChange={(v) => store().setSetting("sortDir", v)} />
            </Field>
          </Show>
          <Field id="cs-format" label={settings().type === "heatmap" ? "Value format" : "Y format"} hint="A d3-format, e.g. $,.0f or .1%">
            {formatInput()}
          </Field>
        </Show>
        <Show when={settings().type === "kpi"}>
          <Field id="cs-value" label="Value">
            <ColumnSelect id="cs-value" value={settings().value} onChange={(v) => store().setSetting("value", v)} options={columns()} />
          </Field>
          <Field id="cs-compare" label="Compare with">
            <ColumnSelect id="cs-compare" value={settings().compare} onChange={(v) => store().setSetting("compare", v)} options={columns()} empty="None" />
          </Field>
          <Field id="cs-format" label="Value format">
            {formatInput()}
          </Field>
        </Show>
      </div>
      <div role="alert">
        <Show when={store().saveError()}>
          <p class="alert alert--error">{store().saveError()}</p>
        </Show>
      </div>
      <div class="form__actions">
        <Button variant="primary" onClick={() => props.onSave()} disabled={store().saving()}>
          <BusyLabel busy={store().saving()} label="Saving…">
            {store().existing ? "Save chart" : "Save into dashboard"}
          </BusyLabel>
        </Button>
      </div>
    </section>
  );
}

function xLabel(type: string): string {
  if (type === "pie") return "Category (x)";
  if (type === "spark_bar") return "Label (x)";
  if (type === "histogram") return "Values (binned)";
  return "X axis";
}
function yLabel(type: string): string {
  if (type === "pie" || type === "spark_bar") return "Value (y)";
  return "Y axis";
}
