/**
 * The HTTP status of an org or project page, decided while the server renders it: 404 when
 * the org, the project or the page's record is not visible to the caller (whether it exists
 * or not), 403 when the record is forbidden. The browser renders nothing here; the frame shows
 * the matching panel once it has loaded the same things. A bare page whose address is a
 * credential (`secretAddress`) is sent with no-referrer, no-store and noindex headers.
 */
import { useCurrentMatches } from "@solidjs/router";
import { HttpStatusCode } from "@solidjs/start";
import { getRequestEvent } from "solid-js/web";
import { createMemo, createResource, Show, type Accessor } from "solid-js";
import type { PageRecord, ResolvedContribution, RouteInfo, SlotName } from "./plugin-ui";
import { useUiRegistry } from "./Slot";

/** What a page lives in, from its address and route. */
export interface PageTarget {
  org: string;
  project?: string;
  record?: { spec: PageRecord; within?: RouteInfo["within"] };
  /** The route's params (the record's input, the contributions' `boot`). */
  params: Readonly<Record<string, string | undefined>>;
  /** The contributions to the page's slots that declare first queries (`boot`). */
  boot: ReadonlyArray<Pick<ResolvedContribution<SlotName>, "capabilityId" | "boot">>;
}

/** `unknown`: not decided (signed out, or a failure the page will show). `refused`: a framing lookup's token was refused (401). */
export type PageVisibility = "visible" | "missing" | "forbidden" | "refused" | "unknown";

type VisibilityCheck = (target: PageTarget) => Promise<PageVisibility>;
let check: VisibilityCheck | undefined;
type LookupCheck = (query: string, input: Record<string, unknown>, options?: { framing?: boolean }) => Promise<PageVisibility>;
let lookupCheck: LookupCheck | undefined;

/**
 * Installs the server's visibility check (src/entry-server.tsx does, with
 * src/server/page-visibility.ts). Handed in rather than imported so that no server module
 * can reach the browser bundle through this file.
 */
export function provideServerPageVisibility(fn: VisibilityCheck): void {
  check = fn;
}

/** Installs the server's check for `info.lookup` pages (src/entry-server.tsx does). */
export function provideServerPageLookup(fn: LookupCheck): void {
  lookupCheck = fn;
}

function segment(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value).toLowerCase();
  } catch {
    return value.toLowerCase();
  }
}

/** The headers of a page whose address is a credential; set for good (no cleanup that could take them back before the first byte). */
function SecretAddressHeaders() {
  const headers = getRequestEvent()?.response.headers;
  headers?.set("referrer-policy", "no-referrer");
  headers?.set("cache-control", "no-store");
  headers?.set("x-robots-tag", "noindex, nofollow");
  return null;
}

/** The org or project page the address names, with its record; undefined outside `/o/:org`. */
export function usePageTarget(): Accessor<PageTarget | undefined> {
  const matches = useCurrentMatches();
  const registry = useUiRegistry();
  const target = createMemo(() => {
    const list = matches();
    if (!list.some((m) => (m.route.info as RouteInfo | undefined)?.layout)) return undefined;
    const page = list[list.length - 1]!;
    const org = segment(page.params.org);
    if (!org) return undefined;
    const info = page.route.info as RouteInfo | undefined;
    const record = info?.record;
    const slots = new Set([...(info?.slots ?? []), ...(record?.slots ?? [])]);
    const boot = [...slots].flatMap((slot) => registry.contributions(slot)).filter((c) => typeof c.boot === "function");
    return { org, project: segment(page.params.project), record: record ? { spec: record, within: info?.within } : undefined, params: page.params, boot };
  });
  return target;
}

function ServerPageStatus() {
  const matches = useCurrentMatches();
  const lookup = createMemo(() => {
    const page = matches().at(-1);
    const spec = (page?.route.info as RouteInfo | undefined)?.lookup;
    return page && spec ? { query: spec.query, input: spec.input(page.params), framing: spec.framing === true } : undefined;
  });
  const target = usePageTarget();
  // deferStream: the answer is in before the first byte, so the status can still change.
  const [visibility] = createResource(
    target,
    (t) => check?.(t) ?? Promise.resolve<PageVisibility>("unknown"),
    { deferStream: true },
  );
  // Synchronous, before the first byte: an address that is a credential must not leak onwards or into caches.
  const secret = () => (matches().at(-1)?.route.info as RouteInfo | undefined)?.secretAddress === true;
  const [found] = createResource(lookup, (l) => lookupCheck?.(l.query, l.input, { framing: l.framing }) ?? Promise.resolve<PageVisibility>("unknown"), { deferStream: true });
  return (
    <>
      <Show when={secret()}>
        <SecretAddressHeaders />
      </Show>
      <Show when={visibility() === "missing" || found() === "missing"}>
        <HttpStatusCode code={404} />
      </Show>
      <Show when={visibility() === "forbidden"}>
        <HttpStatusCode code={403} />
      </Show>
      <Show when={found() === "refused"}>
        <HttpStatusCode code={401} />
      </Show>
    </>
  );
}

/** Sets the response status of an org or project page when the server renders it (nothing in the browser). */
export const PageStatus = import.meta.env.SSR ? ServerPageStatus : () => null;
