/**
 * The offline dashboard viewer: the browser entry of an exported folder (`index.html` loads
 * `data.js`, then this bundle). It draws the dashboard with the app's own read-only canvas and
 * chart components (Vega-Lite compiled by the same spec builder) from the rows saved at export
 * time. Nothing here fetches: the folder opens from `file://` with no server and no network.
 */
import { render } from "solid-js/web";
import { DashboardCanvas, readDashboard, type Dashboard, type QueryResult } from "../../dashboards/ui/published";
import type { OfflineData } from "./format";
import "./viewer.css";

/** The page for one export (the data never changes: nothing here is reactive). */
function offlineDashboard(data: OfflineData) {
  const doc = (data.document as Dashboard | null) ?? readDashboard(data.yaml);
  const resultFor = (chartId: string): QueryResult | undefined => {
    const chart = doc.charts?.find((c) => c.id === chartId);
    if (!chart || chart.type === "text") return undefined;
    return (data.run.results[chart.query] as QueryResult | undefined) ?? { ok: false, error: { code: "missing", message: `The query “${chart.query}” gave no result.` } };
  };
  const fixed = Object.entries(data.run.variables).map(([name, value]) => ({
    label: doc.variables?.find((v) => v.name === name)?.label ?? name,
    value: typeof value === "object" && value !== null ? JSON.stringify(value) : String(value ?? "—"),
  }));
  return () => (
    <main class="offline-page stack">
      <header class="page-header dash-header">
        <h1 class="page-header__title">{data.title}</h1>
      </header>
      <p class="muted offline-page__note">
        Exported from Atrium on {new Date(data.exportedAt).toLocaleString()}; the data is as of {new Date(data.run.ranAt).toLocaleString()}.
      </p>
      <DashboardCanvas doc={doc} resultFor={resultFor} running={false} variables={[]} values={data.run.variables} options={{}} onVariableChange={() => undefined} fixed={fixed} cardActions={false} />
    </main>
  );
}

const data = (window as unknown as { ATRIUM_OFFLINE?: OfflineData }).ATRIUM_OFFLINE;
const host = document.getElementById("app");
if (!host) throw new Error("The page has no #app element.");
if (!data) host.textContent = "This folder has no data.js: export the dashboard again.";
else {
  host.replaceChildren();
  render(offlineDashboard(data), host);
}
