/**
 * The comments of one dashboard as the browser holds them: the threads under the panel's filter,
 * the open counts per chart (for the chart cards), the reviews, and the calls that change them.
 * One store per dashboard, shared by the action rail, the chart cards and the history, so a
 * comment written in the panel shows on its chart's card at once. Plain Solid signals and
 * functions taking the typed client, so it is tested without a browser.
 */
import { createSignal, type Accessor } from "solid-js";
import type { RouterOutputs } from "~/ui/data";
import { problemOf, type Problem } from "~/ui/problems";
import type { trpc as atriumClient } from "~/ui/trpc";

type Outputs = RouterOutputs["collaboration"];
export type Thread = Outputs["comments"]["list"]["threads"][number];
export type Comment = Thread["comments"][number];
export type Counts = Outputs["comments"]["counts"];
export type Review = Outputs["reviews"]["list"]["reviews"][number];
export type StatusFilter = "open" | "resolved" | "all";

type Client = Pick<typeof atriumClient, "collaboration">;

/** Where the dashboard is: `{ orgId, projectId }` and its slug. */
export interface DashboardAt {
  orgId: string;
  projectId: string;
  slug: string;
}

export interface CommentsStore {
  readonly at: DashboardAt;
  threads: Accessor<Thread[] | null>;
  counts: Accessor<Counts | null>;
  reviews: Accessor<Review[] | null>;
  /** The dashboard's version when the threads were last loaded. */
  version: Accessor<number | null>;
  filter: Accessor<StatusFilter>;
  problem: Accessor<Problem | null>;
  loading: Accessor<boolean>;
  /** The panel is open (and which chart it should show first, if any). */
  panelOpen: Accessor<boolean>;
  focusChart: Accessor<string | null>;
  /** Opens the panel (resolves once its threads are loaded). */
  openPanel(chartId?: string | null): Promise<void>;
  closePanel(): void;
  setFilter(filter: StatusFilter): Promise<void>;
  /** Reloads threads and counts (and marks them read while the panel is open). */
  refresh(): Promise<void>;
  refreshReviews(): Promise<void>;
  add(input: { body: string; threadId?: string; chartId?: string | null; variables?: Record<string, string> | null; mentions?: string[] }): Promise<void>;
  edit(commentId: string, body: string): Promise<void>;
  remove(commentId: string): Promise<void>;
  resolve(threadId: string, resolved: boolean): Promise<void>;
  review(version: number, reviewed: boolean): Promise<void>;
}

export function createCommentsStore(client: Client, at: DashboardAt): CommentsStore {
  const api = client.collaboration;
  const [threads, setThreads] = createSignal<Thread[] | null>(null);
  const [counts, setCounts] = createSignal<Counts | null>(null);
  const [reviews, setReviews] = createSignal<Review[] | null>(null);
  const [version, setVersion] = createSignal<number | null>(null);
  const [filter, setFilterSignal] = createSignal<StatusFilter>("open");
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [panelOpen, setPanelOpen] = createSignal(false);
  const [focusChart, setFocusChart] = createSignal<string | null>(null);
  let seq = 0;

  const refresh = async () => {
    const mine = ++seq;
    setLoading(true);
    try {
      const [list, c] = await Promise.all([
        panelOpen() ? api.comments.list.query({ ...at, status: filter() }) : Promise.resolve(null),
        api.comments.counts.query(at),
      ]);
      if (mine !== seq) return;
      if (list) {
        setThreads(list.threads);
        setVersion(list.version);
        if (c.unread > 0) {
          // The reader has the threads in front of them: they are read now.
          await api.comments.markRead.mutate(at);
          c.unread = 0;
        }
      }
      setCounts(c);
      setProblem(null);
    } catch (error) {
      if (mine === seq) setProblem(problemOf(error));
    } finally {
      if (mine === seq) setLoading(false);
    }
  };

  const refreshReviews = async () => {
    try {
      const out = await api.reviews.list.query(at);
      setReviews(out.reviews);
      setVersion(out.version);
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  return {
    at,
    threads,
    counts,
    reviews,
    version,
    filter,
    problem,
    loading,
    panelOpen,
    focusChart,
    openPanel(chartId = null) {
      setFocusChart(chartId);
      setPanelOpen(true);
      return refresh();
    },
    closePanel() {
      setPanelOpen(false);
      setFocusChart(null);
    },
    async setFilter(next) {
      setFilterSignal(next);
      await refresh();
    },
    refresh,
    refreshReviews,
    // Writes throw their problem to the form that called them (field errors go under fields).
    async add(input) {
      await api.comments.add.mutate({ ...at, ...input });
      await refresh();
    },
    async edit(commentId, body) {
      await api.comments.edit.mutate({ ...at, commentId, body });
      await refresh();
    },
    async remove(commentId) {
      await api.comments.delete.mutate({ ...at, commentId });
      await refresh();
    },
    async resolve(threadId, resolved) {
      await api.threads.resolve.mutate({ ...at, threadId, resolved });
      await refresh();
    },
    async review(v, reviewed) {
      await api.reviews.mark.mutate({ ...at, version: v, reviewed });
      await refreshReviews();
    },
  };
}

const stores = new Map<string, CommentsStore>();

/** The one store of a dashboard in this tab (created on first use). */
export function commentsStoreFor(client: Client, at: DashboardAt): CommentsStore {
  const key = `${at.orgId}/${at.projectId}/${at.slug}`;
  let store = stores.get(key);
  if (!store) {
    store = createCommentsStore(client, at);
    stores.set(key, store);
    if (stores.size > 20) stores.delete(stores.keys().next().value!);
  }
  return store;
}

/** "On the dashboard", "On Revenue", "On Revenue at region = EMEA". */
export function targetLabel(thread: Pick<Thread, "chartId" | "variables">, chartTitle: (id: string) => string): string {
  if (!thread.chartId) return "On the dashboard";
  const at = thread.variables && Object.keys(thread.variables).length ? ` at ${Object.entries(thread.variables).map(([k, v]) => `${k} = ${String(v)}`).join(", ")}` : "";
  return `On ${chartTitle(thread.chartId)}${at}`;
}
