/**
 * Starts downloading the code of the page an address opens, before the app hydrates: the
 * page's component and the components of the slots it draws (not its record's parser: the
 * record arrives prepared in the page's HTML). Without it a page's chunks are asked for only
 * once the shell has hydrated and the frame renders the page; on a cold cache that is a round
 * trip per level after the first paint.
 * Only downloads: nothing runs that the page would not run anyway.
 */
import type { ResolvedPage, SlotName, UiRegistry } from "./plugin-ui";

/** How specific a pattern is: its static segments count first (`/o/:org/settings` over `/o/:org/:x`). */
function staticSegments(pattern: string): number {
  return pattern.split("/").filter((part) => part && !part.startsWith(":")).length;
}

function matches(pattern: string, pathname: string): boolean {
  const want = pattern.split("/").filter(Boolean);
  const have = pathname.split("/").filter(Boolean);
  return want.length === have.length && want.every((part, i) => part.startsWith(":") || part === have[i]);
}

/** The page declared for this address, if any (the most specific when several patterns match). */
export function pageAt(registry: UiRegistry, pathname: string): ResolvedPage | undefined {
  let best: ResolvedPage | undefined;
  for (const page of registry.pages) {
    if (matches(page.fullPath, pathname) && (!best || staticSegments(page.fullPath) > staticSegments(best.fullPath))) best = page;
  }
  return best;
}

type Preloadable = { preload?: () => Promise<unknown> };

/** Starts a download (a lazy component's `preload`, a record's parser); a failure is the page's to show later. */
function start(load: (() => unknown) | undefined): void {
  void (async () => load?.())().catch(() => {});
}

/** Starts loading the code of a slot's lazy components. */
export function preloadSlot(registry: UiRegistry, slot: SlotName): void {
  for (const contribution of registry.contributions(slot)) start((contribution as { component?: Preloadable }).component?.preload);
}

export function preloadPage(registry: UiRegistry, pathname: string): void {
  const page = pageAt(registry, pathname);
  if (!page) return;
  start((page.component as Preloadable).preload);
  // Not the record's parser: the page's HTML brings the record prepared, and the workspace
  // loads the parser with the query when it has to ask the server (src/ui/workspace.tsx).
  const slots = new Set<SlotName>([...(page.slots ?? []), ...(page.record?.slots ?? [])]);
  for (const slot of slots) preloadSlot(registry, slot);
}
