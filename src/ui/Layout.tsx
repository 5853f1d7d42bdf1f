/**
 * The app shell: skip link, top bar (product mark, breadcrumbs, theme toggle), left
 * navigation (`app.nav`), the page in <main>, and the page's action rail when it has one.
 */
import { A, useCurrentMatches, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createMemo, ErrorBoundary, onMount, Show, Suspense } from "solid-js";
import { Breadcrumbs } from "./breadcrumbs";
import { Spinner } from "./components";
import { ErrorPanel } from "./ErrorPanel";
import type { RouteInfo, SlotName } from "./plugin-ui";
import { Slot, useSlot } from "./Slot";
import { ThemeToggle } from "./ThemeToggle";

const MAIN_ID = "main";

/** The action rail of the deepest matched route that declares one, with its props. */
function useActionRail() {
  const matches = useCurrentMatches();
  const rail = createMemo(() => {
    const list = matches();
    for (let i = list.length - 1; i >= 0; i--) {
      const match = list[i]!;
      const declared = (match.route.info as RouteInfo | undefined)?.actions;
      if (declared) return { slot: declared.slot, props: declared.props(match.params) };
    }
    return null;
  });
  return rail;
}

function SkipLink() {
  // Handled here rather than by the router (which would treat "#main" as a navigation):
  // move focus into <main> so the next Tab continues from the page content.
  const skip = (event: MouseEvent) => {
    const main = document.getElementById(MAIN_ID);
    if (!main) return;
    event.preventDefault();
    main.focus();
    main.scrollIntoView({ block: "start" });
  };
  return (
    <a class="skip-link" href={`#${MAIN_ID}`} on:click={skip}>
      Skip to content
    </a>
  );
}

function ProductMark() {
  return (
    <A href="/" class="product-mark" activeClass="" inactiveClass="" end>
      <svg class="product-mark__logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="var(--accent-strong)" />
        <path d="M9 23 16 8l7 15M11.8 17.5h8.4" fill="none" stroke="var(--on-accent-strong)" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" />
      </svg>
      <span class="product-mark__name">Atrium</span>
    </A>
  );
}

function ActionRail(props: { slot: SlotName; props: object }) {
  const contributions = useSlot(() => props.slot);
  return (
    <Show when={contributions().length > 0}>
      <aside class="action-rail" aria-label="Actions">
        <Suspense>
          <Slot name={props.slot} props={props.props as never} />
        </Suspense>
      </aside>
    </Show>
  );
}

export function Layout(props: RouteSectionProps) {
  const rail = useActionRail();
  // Lets browser tests (and styles) tell a hydrated shell from server-rendered HTML.
  onMount(() => document.documentElement.setAttribute("data-hydrated", ""));
  return (
    <>
      <Title>Atrium</Title>
      <SkipLink />
      <header class="topbar">
        <ProductMark />
        <Breadcrumbs />
        <div class="topbar__end">
          <ThemeToggle />
        </div>
      </header>
      <div class="shell">
        <nav class="sidenav" aria-label="Main">
          <Slot name="app.nav" />
        </nav>
        <main id={MAIN_ID} class="page" tabindex="-1">
          <ErrorBoundary fallback={(error, reset) => <ErrorPanel error={error} reset={reset} />}>
            <Suspense fallback={<div class="page-loading"><Spinner label="Loading page…" /></div>}>{props.children}</Suspense>
          </ErrorBoundary>
        </main>
        <Show when={rail()}>{(r) => <ActionRail slot={r().slot} props={r().props} />}</Show>
      </div>
    </>
  );
}
