/**
 * The app shell: skip link, top bar (product mark, breadcrumbs, theme toggle, organization
 * switcher and account menu), left navigation (`app.nav` and the current org and project),
 * the page in <main>, and the page's action rail when it has one.
 *
 * Also the app's state for every page: who is signed in (`SessionProvider`), the current org
 * and project with the member's capabilities (`WorkspaceProvider`), and notifications. Pages
 * that need a person (`info.signIn: "required"`) wait for `auth.me` and send signed-out
 * visitors to `/sign-in?next=…`. On every client-side page change, focus moves to the new
 * page's heading so keyboard and screen reader users start from the content.
 */
import { A, useCurrentMatches, useLocation, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createEffect, createMemo, ErrorBoundary, Match, on, onCleanup, onMount, Show, Suspense, Switch, type JSX } from "solid-js";
import { AccountControls } from "./AccountMenu";
import { PageBoot, usePageBoot } from "./boot";
import { Breadcrumbs, CrumbLabelsProvider } from "./breadcrumbs";
import { PageStatus } from "./page-status";
import { Button, Spinner } from "./components";
import { ErrorPanel } from "./ErrorPanel";
import { FirstRender } from "./first-render";
import type { RouteInfo, SlotName } from "./plugin-ui";
import { authHref, SessionProvider, useSession } from "./session";
import { Slot, useSlot } from "./Slot";
import { ThemeToggle } from "./ThemeToggle";
import { ToastProvider } from "./toasts";
import { useWorkspace, WorkspaceProvider } from "./workspace";
import { WorkspaceNav } from "./WorkspaceNav";

const MAIN_ID = "main";

/** What the matched routes declare, deepest first where they disagree. */
function useRouteInfo() {
  const matches = useCurrentMatches();
  const info = createMemo(() => {
    const infos = matches().map((m) => (m.route.info ?? {}) as RouteInfo);
    return {
      signIn: infos.some((i) => i.signIn === "required"),
      chrome: [...infos].reverse().find((i) => i.chrome !== undefined)?.chrome,
    };
  });
  return info;
}

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

/**
 * After a client-side page change, focus the new page's first heading (or <main>), unless
 * the person has already moved focus into the new page. Headings may arrive with their data,
 * so this waits for one for a moment.
 */
function useFocusOnNavigation() {
  const location = useLocation();
  let frame = 0;
  // Effects run only in the browser; so does this cleanup (no cancelAnimationFrame on the server).
  onMount(() => onCleanup(() => cancelAnimationFrame(frame)));
  createEffect(
    on(
      () => location.pathname,
      () => {
        cancelAnimationFrame(frame);
        const main = document.getElementById(MAIN_ID);
        if (!main) return;
        const before = document.activeElement;
        const deadline = performance.now() + 2000;
        const attempt = () => {
          const active = document.activeElement;
          const untouched = !active || active === document.body || active === before || !main.contains(active);
          if (!untouched || document.querySelector("dialog[open]")) return;
          const heading = main.querySelector<HTMLElement>("h1");
          if (heading) {
            if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
            heading.focus({ preventScroll: true });
          } else if (performance.now() < deadline) {
            frame = requestAnimationFrame(attempt);
          } else {
            main.focus({ preventScroll: true });
          }
        };
        frame = requestAnimationFrame(attempt);
      },
      { defer: true },
    ),
  );
}

/** Holds a page that needs a signed-in person until `auth.me` answers; sends others to sign in. */
function SignInGate(props: { required: boolean; children: JSX.Element }) {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  createEffect(() => {
    if (props.required && session.user() === null) {
      navigate(authHref("/sign-in", location.pathname + location.search), { replace: true });
    }
  });
  return (
    <Switch>
      <Match when={!props.required || session.user()}>{props.children}</Match>
      <Match when={session.problem()}>
        {(problem) => (
          <div class="panel error-panel" role="alert">
            <h1 class="error-panel__title">We couldn’t check who you are</h1>
            <p class="error-panel__text">{problem().message}</p>
            <div class="error-panel__actions">
              <Button variant="primary" onClick={() => void session.refresh()}>
                Try again
              </Button>
            </div>
          </div>
        )}
      </Match>
      <Match when={session.user() === null}>
        <div class="page-loading">
          <Spinner label="Taking you to sign in…" />
        </div>
      </Match>
      <Match when={true}>
        <div class="page-loading">
          <Spinner label="Loading…" />
        </div>
      </Match>
    </Switch>
  );
}

function Shell(props: RouteSectionProps) {
  const rail = useActionRail();
  const info = useRouteInfo();
  const workspace = useWorkspace();
  // The answers the page's HTML carries (src/ui/boot.tsx), made here at the same place on both sides.
  const boot = usePageBoot();
  useFocusOnNavigation();
  // Lets browser tests (and styles) tell a hydrated shell from server-rendered HTML.
  onMount(() => document.documentElement.setAttribute("data-hydrated", ""));
  const focused = () => info().chrome === "focused";
  const crumbLabel = (href: string) => {
    const org = workspace.currentOrg();
    if (!org) return undefined;
    if (href === `/o/${org.slug}`) return org.name;
    const project = workspace.currentProject();
    if (project && href === `/o/${org.slug}/p/${project.slug}`) return project.name;
    return undefined;
  };
  const recordCrumb = () => {
    const page = workspace.recordPage();
    if (!page) return undefined;
    const noun = page.spec.noun;
    return { href: page.href, label: workspace.recordName() ?? noun.charAt(0).toUpperCase() + noun.slice(1) };
  };
  return (
    <CrumbLabelsProvider label={crumbLabel} record={recordCrumb}>
      <Title>Atrium</Title>
      <Suspense>
        <PageStatus />
        <PageBoot boot={boot} />
      </Suspense>
      <SkipLink />
      <header class="topbar">
        <ProductMark />
        <Show when={!focused()} fallback={<div class="breadcrumbs" />}>
          <Breadcrumbs />
        </Show>
        <div class="topbar__end">
          <Suspense>
            <Slot name="app.header" />
          </Suspense>
          <ThemeToggle />
          <AccountControls />
        </div>
      </header>
      <div class="shell" classList={{ "shell--focused": focused() }}>
        <Show when={!focused()}>
          <nav class="sidenav" aria-label="Main">
            <Slot name="app.nav" />
            <WorkspaceNav />
          </nav>
        </Show>
        <main id={MAIN_ID} class="page" classList={{ "page--focused": focused() }} tabindex="-1">
          <Show when={!focused()}>
            <Suspense>
              <Slot name="app.banners" />
            </Suspense>
          </Show>
          <ErrorBoundary fallback={(error, reset) => <ErrorPanel error={error} reset={reset} />}>
            <Suspense fallback={<div class="page-loading"><Spinner label="Loading page…" /></div>}>
              <FirstRender boot={boot}>
                <SignInGate required={info().signIn}>{props.children}</SignInGate>
              </FirstRender>
            </Suspense>
          </ErrorBoundary>
        </main>
        <Show when={rail()}>{(r) => <ActionRail slot={r().slot} props={r().props} />}</Show>
      </div>
    </CrumbLabelsProvider>
  );
}

export function Layout(props: RouteSectionProps) {
  return (
    <ToastProvider>
      <SessionProvider>
        <WorkspaceProvider>
          <Shell {...props} />
        </WorkspaceProvider>
      </SessionProvider>
    </ToastProvider>
  );
}
