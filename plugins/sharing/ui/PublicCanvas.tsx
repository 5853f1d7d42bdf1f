/**
 * A shared dashboard as a viewer without an account sees it (a public link's page, a signed
 * embed): the charts, the variables the viewer may change as controls, the fixed ones as text,
 * and a Refresh button. Everything comes from the allow-listed view the data route answered.
 */
import { Title } from "@solidjs/meta";
import { createMemo, Show } from "solid-js";
import { BusyLabel, Button } from "~/ui/components";
import { DashboardCanvas, type Dashboard, type QueryResult, type Variable } from "../../dashboards/ui/published";
import type { createPublicStore, PublicView } from "./public-store";

function display(value: unknown, options?: { value: unknown; label: string }[]): string {
  if (Array.isArray(value)) return value.map((v) => display(v, options)).join(", ");
  if (value && typeof value === "object" && "start" in value && "end" in value) return `${String((value as { start: unknown }).start)} – ${String((value as { end: unknown }).end)}`;
  return options?.find((o) => JSON.stringify(o.value) === JSON.stringify(value))?.label ?? (value === null || value === undefined ? "—" : String(value));
}

export function PublicCanvas(props: { view: PublicView; store: ReturnType<typeof createPublicStore>; embedded?: boolean }) {
  const doc = createMemo(() => ({ ...props.view.dashboard, description: props.view.dashboard.description ?? undefined }) as unknown as Dashboard);
  const editable = createMemo(() =>
    props.view.dashboard.variables.filter((v) => v.editable).map((v) => ({ name: v.name, label: v.label, type: v.type, ...(v.options ? { options: v.options } : {}) }) as unknown as Variable),
  );
  const fixed = createMemo(() => props.view.dashboard.variables.filter((v) => !v.editable).map((v) => ({ label: v.label, value: display(v.value, v.options) })));
  const values = createMemo(() => Object.fromEntries(props.view.dashboard.variables.map((v) => [v.name, v.value])));
  const options = createMemo(() => Object.fromEntries(props.view.dashboard.variables.filter((v) => v.options).map((v) => [v.name, v.options!])));
  const resultFor = (chartId: string): QueryResult | undefined => {
    const r = props.view.results[chartId];
    if (!r) return undefined;
    return r.ok ? { ok: true, columns: r.columns, rows: r.rows, truncated: r.truncated, ms: 0, cached: false, ranAt: props.view.ranAt } : { ok: false, error: { code: "unavailable", message: r.message } };
  };
  return (
    <div class="stack">
      <Title>{props.view.dashboard.title} · Atrium</Title>
      <Show when={!props.embedded}>
        <p class="notice notice--info public-dashboard__banner">A read-only dashboard shared by link. It stays available until {new Date(props.view.expiresAt).toLocaleDateString()}.</p>
      </Show>
      <header class="page-header dash-header">
        <h1 class="page-header__title">{props.view.dashboard.title}</h1>
        <div class="dash-header__actions">
          <Button onClick={() => void props.store.refresh()} disabled={props.store.busy()}>
            <BusyLabel busy={props.store.busy()} label="Refreshing…">
              Refresh
            </BusyLabel>
          </Button>
        </div>
      </header>
      <div role="alert" class="alert-region">
        {Object.values(props.store.refused()).join(" ")}
      </div>
      <DashboardCanvas
        doc={doc()}
        resultFor={resultFor}
        running={props.store.busy()}
        variables={editable()}
        values={values()}
        options={options()}
        onVariableChange={(name, value) => void props.store.choose(name, value)}
        fixed={fixed()}
        cardActions
        downloads={props.view.exports.filter((x): x is "csv" | "png" | "svg" => x === "csv" || x === "png" || x === "svg")}
      />
    </div>
  );
}
