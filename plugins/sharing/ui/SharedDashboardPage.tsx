/**
 * A dashboard someone shared with me, outside its project's pages (which I may not see): its
 * title, its variables (in the address, so the view is linkable) and its charts, read-only;
 * beside them, the panels my shared role allows (the assistant, asking about this dashboard).
 */
import "./sharing.css";
import { Title } from "@solidjs/meta";
import { useParams, useSearchParams } from "@solidjs/router";
import { createEffect, createMemo, createSignal, on, Show } from "solid-js";
import { BusyLabel, Button, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed, NotFoundPanel } from "~/ui/LoadStates";
import { problemOf, type Problem } from "~/ui/problems";
import { CapabilitiesProvider } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";
import { DashboardCanvas, WithAssistant, encodeValue, readDashboard, valuesFromQuery, VAR_PREFIX, type RunOutput } from "../../dashboards/ui/published";

export default function SharedDashboardPage() {
  const params = useParams<{ orgId: string; projectId: string; slug: string }>();
  const scope = () => ({ orgId: params.orgId, projectId: params.projectId, slug: params.slug });
  const [record, { refetch }] = createBrowserResource(scope, (s) => trpc.dashboards.get.query(s));
  // What my role here allows, for the panels beside the dashboard; none until known (or if refused).
  const [access] = createBrowserResource(scope, (s) => trpc.sharing.sharedAccess.query(s));
  const capabilities = () => new Set(!access.error ? (access()?.capabilities ?? []) : []);
  return (
    <div class="stack">
      <Show
        // Read the record only once it is there: reading a failed one would throw into the page.
        when={!record.error && record()}
        fallback={
          <Show when={record.error} fallback={<p class="muted">Loading dashboard…</p>}>
            {(error) => {
              const problem = problemOf(error());
              // Not shared with me, gone, or an address that names no dashboard: all "not found".
              return problem.code === "NOT_FOUND" || problem.code === "UNPROCESSABLE_CONTENT" || problem.code === "BAD_REQUEST" ? (
                <NotFoundPanel title="Dashboard not found" text="No dashboard is shared with you at this address. Ask its owner to share it again." />
              ) : (
                <LoadFailed what="the dashboard" problem={problem} onRetry={() => void refetch()} />
              );
            }}
          </Show>
        }
      >
        {(r) => (
          <CapabilitiesProvider capabilities={capabilities()}>
            <WithAssistant assistant={{ orgId: params.orgId, projectId: params.projectId, dashboardSlug: params.slug, place: "dashboard.view" }}>
              <SharedView scope={scope()} title={r().title} yaml={r().yaml} version={r().version} />
            </WithAssistant>
          </CapabilitiesProvider>
        )}
      </Show>
    </div>
  );
}

function SharedView(props: { scope: { orgId: string; projectId: string; slug: string }; title: string; yaml: string; version: number }) {
  const [search, setSearch] = useSearchParams<Record<string, string>>();
  const doc = createMemo(() => readDashboard(props.yaml));
  const given = createMemo(() => valuesFromQuery(doc().variables ?? [], search), undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  const [run, setRun] = createSignal<RunOutput | null>(null);
  const [running, setRunning] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  let seq = 0;
  const execute = async (refresh: boolean) => {
    const mine = ++seq;
    setRunning(true);
    try {
      const out = await trpc.dashboards.run.query({ ...props.scope, variables: given(), refresh });
      if (mine === seq) {
        setRun(out);
        setProblem(null);
      }
    } catch (error) {
      if (mine === seq) setProblem(problemOf(error));
    } finally {
      if (mine === seq) setRunning(false);
    }
  };
  createEffect(on([() => props.version, given], () => void execute(false)));
  const resultFor = (chartId: string) => {
    const chart = doc().charts?.find((c) => c.id === chartId);
    const out = run();
    if (!chart || chart.type === "text" || !out) return undefined;
    return out.results[chart.query];
  };
  return (
    <>
      <Title>{props.title} · Atrium</Title>
      <header class="page-header dash-header">
        <div>
          <p class="eyebrow">
            <Link href="/shared">Shared with me</Link>
          </p>
          <h1 class="page-header__title">{doc().title}</h1>
        </div>
        <div class="dash-header__actions">
          <Button onClick={() => void execute(true)} disabled={running()}>
            <BusyLabel busy={running()} label="Running…">
              Refresh
            </BusyLabel>
          </Button>
        </div>
      </header>
      <div role="alert">
        <Show when={problem()}>{(p) => <LoadFailed what="the dashboard’s data" problem={p()} onRetry={() => void execute(false)} />}</Show>
      </div>
      <DashboardCanvas
        doc={doc()}
        resultFor={resultFor}
        running={running()}
        variables={doc().variables ?? []}
        values={run()?.variables ?? given()}
        options={run()?.variableOptions ?? {}}
        onVariableChange={(name, value) => setSearch({ [`${VAR_PREFIX}${name}`]: encodeValue(value) })}
      />
    </>
  );
}
