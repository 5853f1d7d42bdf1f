/**
 * A list read a page at a time from a procedure that answers `{ items, nextCursor }`: the first
 * page as a browser resource (so `Loaded` shows loading and failure), later pages appended by
 * `loadMore` ("Show more"). A new first page (its source changed, or `refetch` after a write)
 * starts over.
 */
import { createEffect, createSignal, type Resource } from "solid-js";
import { createBrowserResource } from "./data";
import { problemOf } from "./problems";

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface PagedList<Item> {
  /** The first page; `Loaded` it for the loading and failure faces. */
  first: Resource<Page<Item>>;
  /** Every item shown: the first page and the pages loaded after it. */
  items: () => Item[];
  hasMore: () => boolean;
  loadingMore: () => boolean;
  /** Appends the next page; a failure is thrown to the caller (shown where it asked). */
  loadMore: () => Promise<void>;
  /** Reads the first page again (after a write), dropping the later pages. */
  refetch: () => Promise<unknown>;
  /** Changes items in place (an optimistic edit), across every loaded page. */
  update: (change: (item: Item) => Item) => void;
}

export function createPagedList<Input, Item>(source: () => Input | false | null | undefined, fetchPage: (input: Input, cursor?: string) => Promise<Page<Item>>): PagedList<Item> {
  const [first, { refetch, mutate }] = createBrowserResource(source, (input) => fetchPage(input));
  const [more, setMore] = createSignal<Item[]>([]);
  const [next, setNext] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  let editing = false; // an optimistic edit of the first page is not a new first page
  createEffect(() => {
    // Reading `latest` of a failed resource throws: a failure is shown by `Loaded`, not here.
    const page = first.error ? undefined : first.latest;
    if (editing) return;
    setMore([]);
    setNext(page?.nextCursor ?? null);
  });
  return {
    first,
    items: () => [...((!first.error && first.latest?.items) || []), ...more()],
    hasMore: () => next() !== null,
    loadingMore,
    loadMore: async () => {
      const input = source();
      const cursor = next();
      if (!input || !cursor || loadingMore()) return;
      setLoadingMore(true);
      try {
        const page = await fetchPage(input, cursor);
        setMore((items) => [...items, ...page.items]);
        setNext(page.nextCursor);
      } finally {
        setLoadingMore(false);
      }
    },
    refetch: () => Promise.resolve(refetch()),
    update: (change) => {
      editing = true;
      try {
        mutate((page) => (page ? { ...page, items: page.items.map(change) } : page));
      } finally {
        editing = false;
      }
      setMore((items) => items.map(change));
    },
  };
}

/** A "Show more" button's action: the next page, with what went wrong (or null) told to `setProblem`. */
export async function showMore(list: Pick<PagedList<unknown>, "loadMore">, setProblem: (message: string | null) => void): Promise<void> {
  setProblem(null);
  try {
    await list.loadMore();
  } catch (error) {
    setProblem(problemOf(error).message);
  }
}
