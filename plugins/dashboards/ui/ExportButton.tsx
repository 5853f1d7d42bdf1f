/**
 * Export from a dashboard's header: the YAML as stored, in its format (a dbt Charts board as the
 * `charts/<slug>.yml` it was imported from, comments kept); an Atrium dashboard also as a board.
 */
import { Show } from "solid-js";
import { Button } from "~/ui/components";
import type { DashboardRecord } from "./api";
import { downloadText } from "./charts";

export function ExportButton(props: { record: DashboardRecord }) {
  const board = () => props.record.format === "dbt-charts";
  const exportStored = () => downloadText(props.record.yaml, `${props.record.slug}.${board() ? "yml" : "yaml"}`, "application/yaml");
  const exportAsBoard = async () => {
    const [{ writeDbtCharts }, { readDashboard }] = await Promise.all([import("../document/dbt-charts"), import("./doc")]);
    const doc = props.record.document ?? readDashboard(props.record.yaml);
    downloadText(writeDbtCharts(doc).text, `${props.record.slug}.yml`, "application/yaml");
  };
  return (
    <>
      <Button onClick={exportStored}>{board() ? "Export board" : "Export YAML"}</Button>
      <Show when={!board()}>
        <Button onClick={() => void exportAsBoard()}>Export as dbt Charts</Button>
      </Show>
    </>
  );
}
