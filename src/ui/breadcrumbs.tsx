/**
 * Breadcrumbs from the route: Home, then each matched route that is not Home, labelled by
 * its `info.breadcrumb` (file routes: `export const route = { info: { breadcrumb } }`; plugin
 * pages: `breadcrumb`) or, failing that, by its last path segment.
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

const CrumbLabelsContext = createContext<CrumbLabeler>(() => undefined);

/** Supplies run-time labels for the breadcrumbs below it. */
export function CrumbLabelsProvider(props: ParentProps<{ label: CrumbLabeler }>) {
  // The labeler reads its own reactive state when called; it is passed once.
  // eslint-disable-next-line solid/reactivity
  return <CrumbLabelsContext.Provider value={props.label}>{props.children}</CrumbLabelsContext.Provider>;
}

/** The trail to the current page, Home first, the current page last. */
export function useBreadcrumbs(): Accessor<Crumb[]> {
  const matches = useCurrentMatches();
  const location = useLocation();
  const labelOf = useContext(CrumbLabelsContext);
  const crumbs = createMemo(() => {
    const crumbs: Crumb[] = [{ label: "Home", href: "/" }];
    const list = matches();
    list.forEach((match, index) => {
      // A catch-all's match path leaves out what the splat matched; the page is the address.
      const href = (index === list.length - 1 ? location.pathname : match.path).replace(/(.)\/$/, "$1");
      // A layout and its index page share an address: one crumb.
      if (href === "/" || href === "" || crumbs.some((c) => c.href === href)) return;
      const info = match.route.info as RouteInfo | undefined;
      crumbs.push({ label: labelOf(href) ?? info?.breadcrumb ?? labelFromPath(href), href });
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
