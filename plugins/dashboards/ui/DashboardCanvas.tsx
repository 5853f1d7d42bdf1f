/**
 * A dashboard drawn read-only from its document and a run's results: the variables bar, tabs
 * and the grid of chart cards. For pages outside the project (a dashboard shared with someone,
 * a public link): no links into the editor, no SQL. The caller runs the queries and says which
 * result each chart shows.
 */
import { createMemo, createSignal, For, Show } from "solid-js";
import { usePaintedOnce } from "~/ui/data";
import { ChartCard, Markdown } from "./ChartCard";
import { sectionsOf, type Cell, type Dashboard, type Variable } from "./doc";
import type { QueryResult } from "./api";
import { VariablesBar } from "./VariablesBar";
import { DashboardTabs } from "./DashboardTabs";
import "./dashboards.css";

export interface DashboardCanvasProps {
  doc: Dashboard;
  /** The result a chart shows; undefined while it runs the first time. */
  resultFor: (chartId: string) => QueryResult | undefined;
  running: boolean;
  /** Variables the viewer may change (the others are not offered). */
  variables: readonly Variable[];
  values: Record<string, unknown>;
  options: Record<string, { value?: unknown; label: string }[]>;
  onVariableChange: (name: string, value: unknown) => void;
  /** Variables fixed for this view, shown as text: name → label and value. */
  fixed?: readonly { label: string; value: string }[];
  /** Full screen and downloads on each card. */
  cardActions?: boolean;
  /** Which downloads each card offers (all when not given). */
  downloads?: readonly ("csv" | "png" | "svg")[];
}

export function DashboardCanvas(props: DashboardCanvasProps) {
  const sections = createMemo(() => sectionsOf(props.doc));
  const [tab, setTab] = createSignal(0);
  const chartById = (id: string) => props.doc.charts?.find((c) => c.id === id);
  // The cards come one frame after what sits above them (as on the dashboard's own page).
  const painted = usePaintedOnce();
  return (
    <div class="stack">
      <Show when={props.doc.description}>{(text) => <Markdown text={text()} />}</Show>
      <Show when={props.fixed?.length}>
        <dl class="dash-fixed" aria-label="Fixed for this view">
          <For each={props.fixed}>
            {(f) => (
              <div>
                <dt>{f.label}</dt>
                <dd>{f.value}</dd>
              </div>
            )}
          </For>
        </dl>
      </Show>
      <Show when={props.variables.length}>
        <VariablesBar variables={props.variables} values={props.values} options={props.options} onChange={props.onVariableChange} />
      </Show>
      <Show when={sections().length > 1}>
        <DashboardTabs titles={sections().map((section) => section.title)} selected={tab()} onSelect={setTab} />
      </Show>
      <Show when={(props.doc.charts ?? []).length} fallback={<p class="muted">This dashboard has no charts.</p>}>
        <div id="dash-tabpanel" role={sections().length > 1 ? "tabpanel" : undefined} aria-labelledby={sections().length > 1 ? `dash-tab-${tab()}` : undefined}>
          <div class="dash-grid">
            <For each={sections()[Math.min(tab(), sections().length - 1)]?.rows ?? []}>
              {(row) => (
                <For each={row}>
                  {(cell: Cell) => (
                    <div class="dash-cell" style={{ "--span": String(cell.width) }}>
                      <Show when={painted()} fallback={<div class="dash-card dash-card--pending" aria-hidden="true" />}>
                        <Show when={chartById(cell.chart)}>
                          {(chart) => (
                            <ChartCard
                              chart={chart()}
                              result={chart().type === "text" ? undefined : props.resultFor(chart().id)}
                              running={props.running}
                              height={cell.h ? cell.h * 60 : undefined}
                              actions={props.cardActions ?? true}
                              downloads={props.downloads}
                            />
                          )}
                        </Show>
                      </Show>
                    </div>
                  )}
                </For>
              )}
            </For>
          </div>
        </div>
      </Show>
    </div>
  );
}
