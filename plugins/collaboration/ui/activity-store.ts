/**
 * The activity page's state: the first page for the current filters (a resource, so a change of
 * filters starts over and an answer for older filters is never shown), and later pages appended
 * by "Show more", each asked for the filters it was started with.
 */
import { createEffect, createSignal, on, type Accessor } from "solid-js";
import { createBrowserResource, type RouterInputs, type RouterOutputs } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

export type ActivityEntry = RouterOutputs["collaboration"]["activity"]["list"]["items"][number];
export type ActivityFilters = Omit<RouterInputs["collaboration"]["activity"]["list"], "cursor" | "limit">;

export function createActivityFeed(filters: Accessor<ActivityFilters | null>, limit = 30) {
  const [first, { refetch }] = createBrowserResource(filters, (input) => trpc.collaboration.activity.list.query({ ...input, limit }));
  const [more, setMore] = createSignal<ActivityEntry[]>([]);
  const [next, setNext] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  let generation = 0;
  createEffect(
    on(
      // Reading `latest` of a failed resource throws: a failure is shown by `Loaded`, not here.
      () => (first.error ? undefined : first.latest),
      (page) => {
        generation++;
        setMore([]);
        setMoreError(null);
        setLoadingMore(false);
        setNext(page?.nextCursor ?? null);
      },
    ),
  );
  const showMore = async () => {
    const input = filters();
    const cursor = next();
    if (!input || !cursor) return;
    const mine = generation;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await trpc.collaboration.activity.list.query({ ...input, limit, cursor });
      if (mine !== generation) return;
      setMore((rows) => [...rows, ...page.items]);
      setNext(page.nextCursor);
    } catch (e) {
      if (mine === generation) setMoreError(problemOf(e).message);
    } finally {
      if (mine === generation) setLoadingMore(false);
    }
  };
  return {
    first,
    refetch,
    items: () => [...((!first.error && first.latest?.items) || []), ...more()],
    hasMore: () => next() !== null,
    showMore,
    loadingMore,
    moreError,
  };
}
