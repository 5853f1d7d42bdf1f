/**
 * The dashboard the current page is about (its record, loaded by the frame) and its comments
 * store, for the slot contributions: the action rail, chart cards and history rows.
 */
import { createMemo, type Accessor } from "solid-js";
import type { RouterOutputs } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useWorkspace } from "~/ui/workspace";
import { commentsStoreFor, type CommentsStore } from "./comments-store";

export type DashboardRecord = RouterOutputs["dashboards"]["get"];

export interface DashboardComments {
  store: CommentsStore;
  record: DashboardRecord;
  /** A chart's title by id (its id when it has none). */
  chartTitle: (chartId: string) => string;
  charts: Array<{ id: string; title: string }>;
}

/** The charts of the dashboard's document, which the page's record carries already read (its `prepare`). */
function chartsOf(record: DashboardRecord): Array<{ id: string; title: string }> {
  const doc = (record as { document?: { charts?: Array<{ id?: unknown; title?: unknown }> } | null }).document;
  const charts = Array.isArray(doc?.charts) ? doc.charts : [];
  return charts.filter((c) => typeof c?.id === "string").map((c) => ({ id: c.id as string, title: typeof c.title === "string" && c.title ? c.title : (c.id as string) }));
}

/** Undefined until the org, project and dashboard are loaded. */
export function useDashboardComments(): Accessor<DashboardComments | undefined> {
  const workspace = useWorkspace();
  return createMemo(() => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    const state = workspace.record();
    if (!org || !project || state.status !== "ready") return undefined;
    const record = state.value as DashboardRecord;
    if (!record || typeof record !== "object" || !("slug" in record)) return undefined;
    const charts = chartsOf(record);
    const store = commentsStoreFor(trpc, { orgId: org.id, projectId: project.id, slug: record.slug });
    return { store, record, charts, chartTitle: (id: string) => charts.find((c) => c.id === id)?.title ?? id };
  });
}
