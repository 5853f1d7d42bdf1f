/**
 * The dashboard named by the address: loaded by the project frame (the page's `record` in
 * ../ui.ts), which shows its loading, not-found and failure states and makes the server answer
 * 404 when the caller cannot see it. Pages read it here.
 */
import type { JSX } from "solid-js";
import { usePageRecord } from "~/ui/workspace";
import type { DashboardRecord } from "./api";
import { ProjectFrame, type Current } from "./ProjectFrame";

/** The dashboard of the current page, and a way to load it again (after a restore). */
export function useDashboardRecord(_current?: () => Current) {
  const { record, refetch } = usePageRecord<DashboardRecord>();
  return { record, refetch };
}

/** Renders `children` with the dashboard (the frame shows the other states). */
export function RecordStates(props: { record: () => DashboardRecord; onRetry?: () => void; children: (record: () => DashboardRecord) => JSX.Element }) {
  return <>{props.children(props.record)}</>;
}

/**
 * A page about one dashboard (view, editor, chart builder, history): the current org and
 * project, the dashboard, and a way to load it again.
 */
export function DashboardPage(props: {
  loading?: string;
  children: (current: () => Current, record: () => DashboardRecord, refetch: () => void) => JSX.Element;
}) {
  return (
    <ProjectFrame>
      {(current) => {
        const { record, refetch } = useDashboardRecord();
        return props.children(current, record, () => void refetch());
      }}
    </ProjectFrame>
  );
}
