/**
 * The variables bar: one labelled control per variable, by type. Options come from the run
 * (`variableOptions`), else the document's static list. A change is applied at once (text and
 * numbers on change, i.e. Enter or leaving the field).
 */
import { For, Match, Switch } from "solid-js";
import type { Variable } from "./doc";

type Option = { value?: unknown; label: string };

function staticOptions(variable: Variable): Option[] {
  if (variable.type !== "select" && variable.type !== "multiselect") return [];
  const options = variable.options;
  if (!Array.isArray(options)) return [];
  return options.map((o) => (typeof o === "object" ? { value: o.value, label: o.label ?? String(o.value) } : { value: o, label: String(o) }));
}

function rangeOf(value: unknown): { start: string; end: string } {
  if (value && typeof value === "object" && "start" in value && "end" in value) {
    const v = value as { start: unknown; end: unknown };
    return { start: String(v.start).slice(0, 10), end: String(v.end).slice(0, 10) };
  }
  return { start: "", end: "" };
}

export function VariablesBar(props: {
  variables: readonly Variable[];
  values: Record<string, unknown>;
  options: Record<string, Option[]>;
  onChange: (name: string, value: unknown) => void;
}) {
  return (
    <form class="dash-vars" aria-label="Variables" onSubmit={(e) => e.preventDefault()}>
      <For each={props.variables}>
        {(variable) => {
          const id = `var-${variable.name}`;
          const label = variable.label ?? variable.name;
          const options = () => {
            const fromRun = props.options[variable.name];
            return fromRun?.length ? fromRun : staticOptions(variable);
          };
          const value = () => props.values[variable.name];
          return (
            <Switch>
              <Match when={variable.type === "select"}>
                <div class="field">
                  <label class="field__label" for={id}>
                    {label}
                  </label>
                  <select id={id} class="input select" onChange={(e) => props.onChange(variable.name, e.currentTarget.value)}>
                    <For each={options()}>
                      {(o) => (
                        <option value={String(o.value)} selected={String(o.value) === String(value() ?? "")}>
                          {o.label}
                        </option>
                      )}
                    </For>
                  </select>
                </div>
              </Match>
              <Match when={variable.type === "multiselect"}>
                <div class="field">
                  <label class="field__label" for={id}>
                    {label}
                  </label>
                  <select
                    id={id}
                    class="input select"
                    multiple
                    onChange={(e) => props.onChange(variable.name, [...e.currentTarget.selectedOptions].map((o) => o.value))}
                  >
                    <For each={options()}>
                      {(o) => (
                        <option value={String(o.value)} selected={Array.isArray(value()) && (value() as unknown[]).map(String).includes(String(o.value))}>
                          {o.label}
                        </option>
                      )}
                    </For>
                  </select>
                </div>
              </Match>
              <Match when={variable.type === "daterange"}>
                <fieldset class="field fieldset">
                  <legend class="field__label">{label}</legend>
                  <div class="dash-daterange">
                    <label class="visually-hidden" for={`${id}-start`}>
                      {label}: from
                    </label>
                    <input
                      id={`${id}-start`}
                      class="input"
                      type="date"
                      value={rangeOf(value()).start}
                      onChange={(e) => props.onChange(variable.name, { start: e.currentTarget.value, end: rangeOf(value()).end })}
                    />
                    <span aria-hidden="true">–</span>
                    <label class="visually-hidden" for={`${id}-end`}>
                      {label}: to
                    </label>
                    <input
                      id={`${id}-end`}
                      class="input"
                      type="date"
                      value={rangeOf(value()).end}
                      onChange={(e) => props.onChange(variable.name, { start: rangeOf(value()).start, end: e.currentTarget.value })}
                    />
                  </div>
                </fieldset>
              </Match>
              <Match when={variable.type === "checkbox"}>
                <label class="check">
                  <input id={id} type="checkbox" checked={value() === true} onChange={(e) => props.onChange(variable.name, e.currentTarget.checked)} />
                  <span class="check__label">{label}</span>
                </label>
              </Match>
              <Match when={variable.type === "number" || variable.type === "text" || variable.type === "date"}>
                <div class="field">
                  <label class="field__label" for={id}>
                    {label}
                  </label>
                  <input
                    id={id}
                    class="input"
                    type={variable.type === "number" ? "number" : variable.type === "date" ? "date" : "text"}
                    value={value() === undefined || value() === null ? "" : String(value())}
                    onChange={(e) => props.onChange(variable.name, e.currentTarget.value)}
                  />
                </div>
              </Match>
            </Switch>
          );
        }}
      </For>
    </form>
  );
}
