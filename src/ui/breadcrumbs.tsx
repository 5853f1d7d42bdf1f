/**
 * Breadcrumbs from the route: Home, then each matched route that is not Home (the org, the
 * project, the page), labelled by a run-time name where one is known (the org's, the
 * project's, the page's record's), else by its `info.breadcrumb` (file routes:
 * `export const route = { info: { breadcrumb } }`; plugin pages: `breadcrumb`), else by its last
 * path segment. A page below its record's own page (a dashboard's editor) shows the record
 * as a crumb of its own: Home › Acme › Web › Sales › Edit.
 */
import { A, useCurrentMatches, useLocation } from "@solidjs/router";
import { createContext, createMemo, For, Show, useContext, type Accessor, type ParentProps } from "solid-js";
import { ChevronIcon } from "./icons";
import type { RouteInfo } from "./plugin-ui";

export interface Crumb {
  label: string;
  href: string;
}

/** `/example/weekly-notes` → "Weekly notes". */
export function labelFromPath(path: string): string {
  const last = path.split("/").filter(Boolean).pop() ?? "";
  let text: string;
  try {
    text = decodeURIComponent(last);
  } catch {
    text = last;
  }
  text = text.replace(/[-_]+/g, " ").trim();
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : "Home";
}

/** Labels known only at run time (an org's name for `/o/acme`); `undefined` falls back to the route's. */
export type CrumbLabeler = (href: string) => string | undefined;

interface CrumbSources {
  label: CrumbLabeler;
  /** The current page's record crumb (its own page's address and its name), if it has one. */
  record: () => Crumb | undefined;
}

const CrumbLabelsContext = createContext<CrumbSources>({ label: () => undefined, record: () => undefined });

/** Supplies run-time labels (and the page's record crumb) for the breadcrumbs below it. */
export function CrumbLabelsProvider(props: ParentProps<{ label: CrumbLabeler; record?: () => Crumb | undefined }>) {
  // Both read their own reactive state when called; they are passed once.
  // eslint-disable-next-line solid/reactivity
  const sources: CrumbSources = { label: props.label, record: props.record ?? (() => undefined) };
  return <CrumbLabelsContext.Provider value={sources}>{props.children}</CrumbLabelsContext.Provider>;
}

/** The trail to the current page, Home first, the current page last. */
export function useBreadcrumbs(): Accessor<Crumb[]> {
  const matches = useCurrentMatches();
  const location = useLocation();
  const sources = useContext(CrumbLabelsContext);
  const crumbs = createMemo(() => {
    const crumbs: Crumb[] = [{ label: "Home", href: "/" }];
    const list = matches();
    list.forEach((match, index) => {
      // A catch-all's match path leaves out what the splat matched; the page is the address.
      const href = (index === list.length - 1 ? location.pathname : match.path).replace(/(.)\/$/, "$1");
      // A layout and its index page share an address: one crumb.
      if (href === "/" || href === "" || crumbs.some((c) => c.href === href)) return;
      const info = match.route.info as RouteInfo | undefined;
      const record = index === list.length - 1 ? sources.record() : undefined;
      if (record && record.href !== href && !crumbs.some((c) => c.href === record.href)) crumbs.push(record);
      const label = sources.label(href) ?? (record?.href === href ? record.label : undefined);
      crumbs.push({ label: label ?? info?.breadcrumb ?? labelFromPath(href), href });
    });
    return crumbs;
  });
  return crumbs;
}

/** The breadcrumb trail, as a labelled navigation landmark. */
export function Breadcrumbs() {
  const crumbs = useBreadcrumbs();
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        <For each={crumbs()}>
          {(crumb, index) => (
            <li>
              <Show when={index() > 0}>
                <ChevronIcon class="icon breadcrumbs__sep" />
              </Show>
              <Show
                when={index() < crumbs().length - 1}
                fallback={
                  <span class="breadcrumbs__current" aria-current="page" title={crumb.label}>
                    {crumb.label}
                  </span>
                }
              >
                <A href={crumb.href} class="breadcrumbs__link" activeClass="" inactiveClass="" title={crumb.label}>
                  {crumb.label}
                </A>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </nav>
  );
}
