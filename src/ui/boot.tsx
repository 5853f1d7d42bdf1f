/**
 * The first data of a page, carried by its HTML: the answers the server already computed while
 * rendering it (who is signed in, the org and project in the address, the page's record; the
 * same procedures, as the same caller, that decide the page's HTTP status). The browser's
 * first calls for exactly these take them from here instead of going back to the server, so a
 * page no longer waits for `auth.me`, then `orgs.bySlug`, then its record, one after the other.
 *
 * How it travels: `PageBoot` is a resource on both sides at the same place in the tree. On the
 * server it resolves before the first byte (`deferStream`), and Solid writes its value into
 * the page's hydration data; in the browser the same resource hydrates with that value and
 * hands it to the boot cache, which the tRPC client's first link reads (src/ui/trpc.ts).
 *
 * Each answer is used once, by the first call with the same procedure and input, and only
 * while the page is fresh: a later call (a refetch, a client-side navigation) asks the server.
 */
import { createResource, Show, untrack, type Accessor } from "solid-js";
import { primeBoot, type BootCall } from "./boot-cache";
import { usePageTarget, type PageTarget } from "./page-status";

export type { BootCall };

/** The page's answers: undefined while the server computes them; null when there are none. */
export type PageBootAnswers = Accessor<readonly BootCall[] | null | undefined>;

/** The org page being rendered (undefined for pages outside `/o/:org`). */
type ServerBoot = (target: PageTarget | undefined) => Promise<BootCall[]>;
let serverBoot: ServerBoot | undefined;

/** Installs the server's half (src/entry-server.tsx does, with src/server/page-visibility.ts). */
export function provideServerPageBoot(fn: ServerBoot): void {
  serverBoot = fn;
}

/** On the server: keyed by the page's target, resolved before the page's first byte. */
function useServerPageBoot(): PageBootAnswers {
  const target = usePageTarget();
  const [boot] = createResource(
    () => ({ target: target() }),
    async ({ target }) => (serverBoot ? serverBoot(target).catch(() => []) : []),
    { deferStream: true },
  );
  return boot;
}

/** In the browser: never fetched, only hydrated, once, with the server's value. */
function useBrowserPageBoot(): PageBootAnswers {
  let primed = false;
  const prime = (calls: BootCall[] | null | undefined) => {
    if (primed || !calls) return;
    primed = true;
    primeBoot(calls);
  };
  const [boot] = createResource(() => true, async () => null as BootCall[] | null, { onHydrated: (_key, info) => prime(info.value) });
  // Hydrated with a value already in the page: prime now, before any component's first call.
  untrack(() => boot.state === "ready" && prime(boot.latest));
  // An accessor, read by the shell's consumers in their own tracked scopes.
  // eslint-disable-next-line solid/reactivity
  return () => (boot.state === "ready" ? boot.latest : null);
}

/**
 * The resource that carries the answers, made by the shell at the same place in the tree on
 * both sides; `PageBoot` reads it under the layout's <Suspense>, and a server-rendered page's
 * first render reads the answers (src/ui/first-render.tsx).
 */
export const usePageBoot: () => PageBootAnswers = import.meta.env.SSR ? useServerPageBoot : useBrowserPageBoot;

/** Read under the layout's <Suspense>, so the answers are in before the page's first byte (nothing in the browser). */
export const PageBoot = import.meta.env.SSR
  ? (props: { boot: PageBootAnswers }) => <Show when={props.boot() === undefined}>{null}</Show>
  : (_props: { boot: PageBootAnswers }) => null;
