/**
 * The chart builder: a query, written as SQL (CodeMirror with the source's tables for
 * autocomplete) or built visually (table, dimensions with truncation, measures, filters, sort,
 * limit; its SQL shown live and carried over by "Switch to SQL"); Run shows the rows and a
 * live preview of the chart; the chart's type and settings update the preview as they change.
 * Save puts the chart and its query into the dashboard's YAML (`update` with the version it was
 * loaded at; a newer version is offered to save on top of). The state lives in
 * `chart-builder-store.ts`; the panels lay it out.
 */
import { useNavigate, useParams, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { onMount, Show } from "solid-js";
import { Button, Dialog, Link } from "~/ui/components";
import { useRegisterEditor } from "~/ui/editor-bridge";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, describeTables, type DashboardRecord } from "./api";
import { WithAssistant } from "./AssistantColumn";
import { ChartBody, ResultTable } from "./ChartCard";
import { createChartBuilderStore, type ChartBuilderStore } from "./chart-builder-store";
import { ChartSettingsPanel } from "./ChartSettingsPanel";
import type { Current } from "./ProjectFrame";
import { createProposal, ProposalPanel } from "./Proposal";
import { okResult, QueryPanel } from "./QueryPanel";
import { DashboardPage } from "./record";

export default function ChartBuilderPage(_props: RouteSectionProps) {
  return (
    <DashboardPage loading="Loading the chart builder…">{(current, record) => <Builder current={current()} record={record()} />}</DashboardPage>
  );
}

function Builder(props: { current: Current; record: DashboardRecord }) {
  const params = useParams<{ chartId?: string }>();
  const navigate = useNavigate();
  const toasts = useToasts();
  // The builder works on the record it opened with; a conflict on save offers the newer one.
  const store = createChartBuilderStore({
    // eslint-disable-next-line solid/reactivity
    record: props.record,
    chartId: params.chartId,
    // eslint-disable-next-line solid/reactivity
    scope: props.current.scope,
    api: {
      preview: (input) => dashboardsApi.preview.query(input),
      update: (input) => dashboardsApi.update.mutate(input),
      get: (input) => dashboardsApi.get.query(input),
      tables: describeTables,
    },
  });
  // The tables and the compiler load in the browser, after the page shows.
  onMount(() => void store.init().catch(() => undefined));
  const opened = store.opened;
  const existing = store.existing;

  const proposal = createProposal();
  proposal.onAccept(store.acceptSql);
  useRegisterEditor({
    id: "chart-builder",
    language: "sql",
    label: "Chart SQL",
    getValue: () => store.currentSql(),
    propose: (next, note) => proposal.open(store.currentSql(), next, note),
  });

  const dashboardHref = () => `${props.current.base}/d/${opened.slug}`;
  const save = async (base?: DashboardRecord) => {
    const saved = await store.save(base);
    if (!saved) return;
    toasts.success(`Saved chart “${store.settings.title || store.settings.id}”`, `Dashboard version ${saved.version}.`);
    navigate(dashboardHref());
  };

  return (
    <WithAssistant assistant={{ projectId: props.current.project.id, dashboardSlug: opened.slug, chartId: existing?.id ?? null, place: "chart.builder" }}>
      <div class="stack">
        <Title>{existing ? `Chart ${existing.id}` : "New chart"} · Atrium</Title>
        <header class="page-header dash-header">
          <div>
            <p class="eyebrow">
              <Link href={dashboardHref()}>{opened.title}</Link>
            </p>
            <h1 class="page-header__title">{existing ? `Edit chart: ${existing.title ?? existing.id}` : "New chart"}</h1>
          </div>
          <div class="dash-header__actions">
            <Link href={dashboardHref()} variant="button-secondary">
              Cancel
            </Link>
          </div>
        </header>
        <ProposalPanel proposal={proposal} language="sql" />

        <QueryPanel store={store} />

        <div class="dash-split">
          <PreviewPanel store={store} />
          <ChartSettingsPanel store={store} onSave={() => void save()} />
        </div>

        <Dialog
          open={!!store.conflict()}
          onClose={store.dismissConflict}
          title="Someone saved a newer version"
          description={<p>The dashboard changed since you opened the builder (it is now at version {store.conflict()?.version}). Add your chart to their version, or cancel.</p>}
        >
          <div class="form__actions">
            <Button variant="primary" disabled={store.saving()} onClick={() => void save(store.conflict()!)}>
              Save my chart on top of theirs
            </Button>
            <Button onClick={store.dismissConflict}>Cancel</Button>
          </div>
        </Dialog>
      </div>
    </WithAssistant>
  );
}

/** The chart as it will look, and the rows it draws. */
function PreviewPanel(props: { store: ChartBuilderStore }) {
  return (
    <section class="panel stack" aria-labelledby="preview-title">
      <h2 id="preview-title" class="panel__title">
        Preview
      </h2>
      <Show when={props.store.result()} fallback={<p class="muted">Run the query to see the chart.</p>}>
        {(r) => (
          <div class="dash-card" data-chart="preview">
            <ChartBody chart={props.store.chart()} result={r()} />
          </div>
        )}
      </Show>
      <Show when={okResult(props.store.result())}>{(ok) => <ResultTable data={ok()} caption="Query result" maxHeight="18rem" />}</Show>
    </section>
  );
}
