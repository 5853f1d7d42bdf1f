/**
 * Data in the browser: typed router inputs and outputs, and resources that load only once the
 * page is in the browser (the server renders their loading state; nothing to hydrate
 * differently). Read `resource.latest` rather than `resource()` in views, so a refetch keeps
 * the current content on screen instead of falling back to the nearest `<Suspense>`.
 */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createMemo, createResource, createSignal, onCleanup, onMount, untrack, type Accessor, type ResourceReturn } from "solid-js";
import type { AppRouter } from "~/plugins";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

/** False on the server and during hydration; true once the component is mounted in the browser. */
export function useMounted(): Accessor<boolean> {
  const [mounted, setMounted] = createSignal(false);
  onMount(() => setMounted(true));
  return mounted;
}

/**
 * False until the browser has drawn a frame after the component mounted, then true: for the
 * bulk of a page (a dashboard's grid of cards) that may come one frame after what sits above it
 * (its title, its notices), so those paint without waiting for it. False on the server.
 */
export function usePaintedOnce(): Accessor<boolean> {
  const [painted, setPainted] = createSignal(false);
  onMount(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A frame callback runs before the next paint; a task queued from it runs after that paint.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setPainted(true), 0);
    });
    onCleanup(() => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    });
  });
  return painted;
}

/**
 * A resource fetched in the browser only, whenever `source` gives a value other than
 * `false`, `null` or `undefined` (and again when it changes).
 *
 * `initial`: its value before the first fetch, from the answers a server-rendered page's HTML
 * carried (`useFirstAnswers()`): the server renders with it and the browser hydrates with the
 * same, then fetches as usual once mounted. Undefined (no answer) starts it empty.
 */
export function createBrowserResource<S, T>(
  source: () => S | false | null | undefined,
  fetcher: (source: S) => Promise<T>,
  options: { initial?: (source: S) => T | undefined } = {},
): ResourceReturn<T> {
  const mounted = useMounted();
  // Asked again when what it asks changes, not each time an equal input is built (a page's first
  // render hands over from its HTML's answers to the shell's own, equal but new objects).
  const asked = createMemo(() => (mounted() ? source() : false), undefined, { equals: sameInput });
  const initial = options.initial;
  const first = initial
    ? untrack(() => {
        const value = source();
        return value === false || value === null || value === undefined ? undefined : initial(value);
      })
    : undefined;
  return createResource(asked, fetcher, first === undefined ? {} : { initialValue: first }) as ResourceReturn<T>;
}

/** Whether two sources ask the same: the same value, or plain data with the same JSON. */
function sameInput(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
