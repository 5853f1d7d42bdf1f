/**
 * The visual layout editor: the layout's rows with their charts, and buttons to move a chart
 * left, right, up or down a row, onto a row of its own, and to make it narrower or wider
 * (12 columns). Every change rewrites the YAML's `layout` (comments elsewhere are kept).
 */
import { createMemo, For, Show } from "solid-js";
import { Button } from "~/ui/components";
import { layoutRows, readDashboard, withLayoutRows, type Cell } from "./doc";

type Op = "left" | "right" | "up" | "down" | "narrower" | "wider" | "alone";

function apply(rows: Cell[][], r: number, c: number, op: Op): Cell[][] {
  const next = rows.map((row) => row.map((cell) => ({ ...cell })));
  const row = next[r]!;
  const cell = row[c]!;
  switch (op) {
    case "left":
      if (c > 0) [row[c - 1], row[c]] = [row[c]!, row[c - 1]!];
      break;
    case "right":
      if (c < row.length - 1) [row[c + 1], row[c]] = [row[c]!, row[c + 1]!];
      break;
    case "up":
      row.splice(c, 1);
      if (r === 0) next.unshift([cell]);
      else next[r - 1]!.push(cell);
      break;
    case "down":
      row.splice(c, 1);
      if (r === next.length - 1) next.push([cell]);
      else next[r + 1]!.unshift(cell);
      break;
    case "alone":
      row.splice(c, 1);
      next.splice(r + 1, 0, [cell]);
      break;
    case "narrower":
      cell.width = Math.max(1, cell.width - 1);
      break;
    case "wider":
      cell.width = Math.min(12, cell.width + 1);
      break;
  }
  return next.filter((x) => x.length);
}

export function LayoutEditor(props: { yaml: string; onChange: (yaml: string) => void }) {
  const state = createMemo(() => {
    try {
      const doc = readDashboard(props.yaml);
      const titles = new Map((doc.charts ?? []).map((c) => [c.id, c.title ?? c.id]));
      return { rows: layoutRows(doc), titles, flattened: !!(doc.layout?.grid || doc.layout?.tabs), error: null as string | null };
    } catch (error) {
      return { rows: [] as Cell[][], titles: new Map<string, string>(), flattened: false, error: error instanceof Error ? error.message : String(error) };
    }
  });

  const run = (r: number, c: number, op: Op, chart: string) => {
    try {
      props.onChange(withLayoutRows(props.yaml, apply(state().rows, r, c, op)));
    } catch {
      return;
    }
    // The rows are drawn anew from the YAML: keep the keyboard on the same button.
    queueMicrotask(() => document.querySelector<HTMLElement>(`[data-layout-chart="${CSS.escape(chart)}"][data-op="${op}"]`)?.focus());
  };

  return (
    <section class="panel stack" aria-labelledby="layout-title">
      <h2 id="layout-title" class="panel__title">
        Layout
      </h2>
      <p class="muted">Rows of charts on a 12-column grid. Changes here rewrite the YAML’s layout.</p>
      <Show when={state().error}>
        <p class="muted">Fix the YAML to edit the layout.</p>
      </Show>
      <Show when={state().flattened}>
        <p class="notice notice--info">This dashboard uses a grid or tabs layout; a change here turns it into rows.</p>
      </Show>
      <Show when={!state().error && state().rows.length === 0}>
        <p class="muted">No charts in the layout yet.</p>
      </Show>
      <ol class="stack" style={{ "list-style": "none", padding: 0 }} aria-label="Layout rows">
        <For each={state().rows}>
          {(row, r) => (
            <li>
              <p class="field__label">Row {r() + 1}</p>
              <ul class="dash-layout-row" style={{ "list-style": "none" }} aria-label={`Row ${r() + 1}`}>
                <For each={row}>
                  {(cell, c) => {
                    const name = () => state().titles.get(cell.chart) ?? cell.chart;
                    const button = (op: Op, label: string, text: string, disabled = false) => (
                      <Button
                        class="btn--compact"
                        data-layout-chart={cell.chart}
                        data-op={op}
                        disabled={disabled}
                        aria-label={`${label}: ${name()}`}
                        onClick={() => run(r(), c(), op, cell.chart)}
                      >
                        {text}
                      </Button>
                    );
                    return (
                      <li class="dash-layout-item" style={{ "flex-grow": String(cell.width) }}>
                        <span>
                          <strong>{name()}</strong> <span class="muted">· {cell.width}/12</span>
                        </span>
                        <div class="dash-layout-item__buttons">
                          {button("left", "Move left", "←", c() === 0)}
                          {button("right", "Move right", "→", c() === row.length - 1)}
                          {button("up", "Move up a row", "↑")}
                          {button("down", "Move down a row", "↓")}
                          {button("narrower", "Narrower", "−", cell.width <= 1)}
                          {button("wider", "Wider", "+", cell.width >= 12)}
                          {button("alone", "Own row", "⤓", row.length === 1)}
                        </div>
                      </li>
                    );
                  }}
                </For>
              </ul>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
