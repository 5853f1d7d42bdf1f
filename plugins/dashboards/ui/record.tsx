/** Loading the dashboard named by the address, with its not-found and failure states. */
import { useParams } from "@solidjs/router";
import { Match, Switch, type JSX } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed, NotFoundPanel, PageLoading } from "~/ui/LoadStates";
import { dashboardsApi, problemOf, type DashboardRecord } from "./api";
import { ProjectFrame, type Current } from "./ProjectFrame";

/** Loads a dashboard by the address's slug, with not-found and failure states. */
export function useDashboardRecord(current: () => Current) {
  const params = useParams<{ slug: string }>();
  const [record, { refetch, mutate }] = createBrowserResource(
    () => ({ ...current().scope, slug: params.slug }),
    (input) => dashboardsApi.get.query(input),
  );
  return { params, record, refetch, mutate };
}

export function RecordStates(props: { record: { error: unknown; latest: DashboardRecord | undefined }; onRetry: () => void; children: (record: () => DashboardRecord) => ReturnType<typeof Match> }) {
  return (
    <Switch fallback={<PageLoading label="Loading dashboard…" />}>
      <Match when={props.record.error && problemOf(props.record.error).code === "NOT_FOUND"}>
        <NotFoundPanel title="Dashboard not found" text="There is no dashboard at this address in this project, or you cannot see it." />
      </Match>
      <Match when={props.record.error as unknown}>
        <LoadFailed what="this dashboard" problem={problemOf(props.record.error)} onRetry={props.onRetry} />
      </Match>
      <Match when={props.record.latest}>{(r) => props.children(r)}</Match>
    </Switch>
  );
}


/**
 * A page about one dashboard (editor, chart builder, history): the project frame, then the
 * dashboard named by the address with its loading, not-found and failure states.
 */
export function DashboardPage(props: {
  loading: string;
  children: (current: () => Current, record: () => DashboardRecord, refetch: () => void) => JSX.Element;
}) {
  return (
    <ProjectFrame loading={props.loading}>
      {(current) => {
        const { record, refetch } = useDashboardRecord(current);
        return (
          <RecordStates record={record} onRetry={() => void refetch()}>
            {(r) => props.children(current, r, () => void refetch())}
          </RecordStates>
        );
      }}
    </ProjectFrame>
  );
}
