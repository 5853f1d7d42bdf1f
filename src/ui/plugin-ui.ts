/**
 * The browser half of the plugin contract: slots and pages.
 *
 * A plugin's server half (`plugins/<id>/index.ts`, `definePlugin`) never reaches the browser
 * bundle. Its browser half is `plugins/<id>/ui.ts`, exporting `<camelId>Ui =
 * definePluginUi({ id, slots, pages })`, listed in `src/plugins.ui.ts`. This module is the
 * whole contract; it imports nothing from the server (only `solid-js` types).
 *
 * Slots are named, versioned extension points. Each slot has a kind (a `link` slot takes
 * `{ label, href }` contributions, a `component` slot takes lazy components) and typed props,
 * so `<Slot name="dashboard.actions" props={{ dashboardSlug }} />` is checked at compile time.
 * Shapes are checked when the module loads: an unknown slot name, a duplicate contribution id
 * or a bad page path throws with a message saying what to change.
 */
import type { Component } from "solid-js";
import type { RouteSectionProps } from "@solidjs/router";

/* ----------------------------------------------------------------------------------------
 * Slot registry
 * ------------------------------------------------------------------------------------- */

/**
 * The props each slot passes to its contributions, by slot id. The current organization is
 * ambient (a context), so props carry only what lies below it.
 */
export interface SlotProps {
  "app.nav": NoProps;
  "org.settings.sections": NoProps;
  "project.tabs": { projectId: string };
  /** The action rail of a dashboard's view; the dashboard is the page's record (`useWorkspace().record()`). */
  "dashboard.actions": { dashboardSlug: string };
  /**
   * Notices above a dashboard's view (it is public); the dashboard is the page's record. A
   * contribution that draws the dashboard otherwise (as a git branch holds it) calls
   * `replaceView(true)` to take the live charts' place, and `replaceView(false)` to give it back.
   */
  "dashboard.banners": { dashboardSlug: string; replaceView: (replaced: boolean) => void };
  /** Above the dashboard editor (the edit lease): what the editor lets a contribution see and do. */
  "dashboard.editor.session": { dashboardSlug: string; editor: EditorSession };
  /** In the editor's dialog when a save was refused as stale: where the newer version came from. */
  "dashboard.editor.conflict": { dashboardSlug: string; editedVersion: number; currentVersion: number | null };
  /** Beside a chart's title on its card (thread counts); the dashboard is the page's record. */
  "chart.card.badges": { chartId: string };
  /** Beside one version in a dashboard's history (review sign-offs). */
  "dashboard.history.version": { version: number; current: boolean };
  "chart.editor.panels": { dashboardId: string; chartId: string };
  "login.providers": { returnTo?: string };
  "onboarding.steps": { onComplete: () => void };
  "admin.sections": NoProps;
  /** Sections of the account settings page, after the kernel's (identities, agent connection). */
  "account.sections": NoProps;
  /** The assistant panel beside what is open; `projectId` null on the org home. */
  "workspace.assistant": {
    /** The org, on pages outside `/o/:org` (a dashboard shared with the person); else the current org. */
    orgId?: string;
    projectId: string | null;
    dashboardSlug?: string | null;
    chartId?: string | null;
    place: "org.home" | "dashboard.view" | "dashboard.edit" | "chart.builder";
    /** Told once the panel knows whether a model is configured (a host may fold the panel away when not). */
    onStatus?: (status: { configured: boolean }) => void;
    /** A question to start from, put in the composer (not sent) when the panel opens: the setup's "build my first dashboard". */
    prompt?: string;
  };
  /** Sections of the org home, between the assistant and the project list (the org is ambient). */
  "org.home.sections": NoProps;
  /** Ways to sign in with a form on the sign-in page, below the provider buttons. */
  "login.forms": { returnTo: string; email?: string };
  /** Ways to create an account with a form on the sign-up page, below the provider buttons. */
  "signup.forms": { returnTo: string; email?: string };
  /** Small controls in the top bar, before the theme toggle (a notifications bell); the org, if any, is ambient. */
  "app.header": NoProps;
  /** Notices above every page of the app (not on the focused sign-in pages). */
  "app.banners": NoProps;
  /** Inside the account's Profile section, after the email address. */
  "account.profile": { email: string; emailVerified: boolean };
  /** Sections of the account page after Profile, before Signed-in devices; call `onOtherSessionsEnded` after signing other devices out. */
  "account.security": { onOtherSessionsEnded: () => void };
  /** Sections of a project's Data page after the sources (the org is ambient). */
  "data.sections": NoProps;
}

/** The open dashboard editor, as the `dashboard.editor.session` slot shows it to contributions. */
export interface EditorSession {
  /** The text in the editor now. */
  text: () => string;
  /** The text differs from the saved version it was loaded at. */
  dirty: () => boolean;
  /** The version the text is based on (a save sends it; an older one answers 409). */
  version: () => number;
  /** Puts earlier text back (a draft), based on `version`: an older base makes Save a conflict to compare. */
  restore: (text: string, version: number) => void;
  /** Loads the newest saved version into the editor (dropping unsaved text). */
  reload: () => Promise<void>;
  /** Read-only while someone else edits: no typing, no saving. */
  setReadOnly: (readOnly: boolean) => void;
}

/** Props of a slot that passes none. */
export type NoProps = Record<never, never>;

/** Every slot id. */
export type SlotName = keyof SlotProps;

/** What a slot accepts: navigation links, or components it renders in place. */
export type SlotKind = "link" | "component";

export interface SlotSpec {
  /** Bumped when the props change incompatibly; contributions may pin it (`slotVersion`). */
  readonly version: number;
  readonly kind: SlotKind;
  /** Where it renders, for contributors. */
  readonly description: string;
}

/** The slots the app renders. Adding a slot: add its props above and its entry here. */
export const SLOTS = {
  "app.nav": { version: 1, kind: "link", description: "Links in the left navigation" },
  "org.settings.sections": { version: 1, kind: "component", description: "Sections of the organization settings page" },
  "project.tabs": { version: 1, kind: "component", description: "Tabs of a project page, between Overview and Settings: render a link with class \"tab\"" },
  "dashboard.actions": { version: 2, kind: "component", description: "The action rail beside a dashboard's view" },
  "dashboard.editor.session": { version: 1, kind: "component", description: "Above the dashboard editor: notices about who edits (render a <section> with a label, or nothing); `editor` reads and steers the editor" },
  "chart.card.badges": { version: 1, kind: "component", description: "Small badges beside a chart's title on its card (render inline content, or nothing)" },
  "dashboard.history.version": { version: 1, kind: "component", description: "Inline notes beside one version in a dashboard's history" },
  "chart.editor.panels": { version: 1, kind: "component", description: "Panels of the chart editor" },
  "login.providers": { version: 1, kind: "component", description: "Sign-in buttons above the password form on the sign-in and sign-up pages" },
  "onboarding.steps": { version: 1, kind: "component", description: "Steps of the first-run onboarding" },
  "admin.sections": { version: 1, kind: "component", description: "Sections of the instance admin page" },
  "account.sections": { version: 1, kind: "component", description: "Sections of the account settings page, after Access tokens: render a <section> with an id and a heading" },
  "workspace.assistant": { version: 1, kind: "component", description: "The assistant panel on the org home, dashboard view (also a dashboard shared with the person), dashboard editor and chart builder (see src/ui/editor-bridge.ts)" },
  "org.home.sections": { version: 1, kind: "component", description: "Sections of the organization home, between the assistant and the projects: render a <section> with a heading (level 2)" },
  "login.forms": { version: 1, kind: "component", description: "Sign-in forms on the sign-in page, below the provider buttons" },
  "signup.forms": { version: 1, kind: "component", description: "Account creation forms on the sign-up page, below the provider buttons" },
  "app.header": { version: 1, kind: "component", description: "Small controls in the top bar before the theme toggle (render nothing outside an org if you need one)" },
  "app.banners": { version: 1, kind: "component", description: "Banners above every page but the focused ones (render nothing when there is nothing to say)" },
  "account.profile": { version: 1, kind: "component", description: "Inside the Profile section of the account page, after the email address" },
  "account.security": { version: 1, kind: "component", description: "Sections of the account page between Profile and Signed-in devices: render a <SettingsSection>" },
  "data.sections": { version: 1, kind: "component", description: "Sections of a project's Data page after the sources: render a <section class=\"panel\"> with a heading (level 2)" },
  "dashboard.banners": { version: 1, kind: "component", description: "Notices above a dashboard's view, under its header (render a <p class=\"notice …\">, or nothing); or another drawing of the dashboard in the live charts' place (replaceView)" },
  "dashboard.editor.conflict": { version: 1, kind: "component", description: "In the dashboard editor's conflict dialog (a save refused as stale): say where the newer version came from (render a <p>, or nothing)" },
} as const satisfies { readonly [N in SlotName]: SlotSpec };

/** The ids of `SLOTS`, in declaration order. */
export const SLOT_NAMES = Object.keys(SLOTS) as SlotName[];

export function isSlotName(name: string): name is SlotName {
  return Object.hasOwn(SLOTS, name);
}

/* ----------------------------------------------------------------------------------------
 * Contributions
 * ------------------------------------------------------------------------------------- */

/** A capability id, or a capability constant (`defineCapability(...)`; only its id is read). */
export type CapabilityRef = string | { readonly id: string };

interface ContributionBase {
  /** kebab-case, unique per plugin and slot; shown qualified as `<plugin>.<id>`. */
  readonly id: string;
  /** Lower comes first; default 100. Ties keep plugin-list order. */
  readonly order?: number;
  /** Rendered only when the current member holds this capability. */
  readonly capability?: CapabilityRef;
  /** The slot version this was written for; loading fails when the app's differs. */
  readonly slotVersion?: number;
  /**
   * Optional: the first queries the contribution makes when drawn on a page that names its slot
   * (`PluginPage.slots`, `PageRecord.slots`), with exactly the inputs it sends. The server
   * answers them while rendering the page, as the visitor and only when the visitor holds
   * `capability`, and the page's HTML carries the answers (src/ui/boot.tsx): the contribution's
   * first call is then answered without a round trip. Cheap reads only: the page waits for them
   * (at most `BOOT_BUDGET_MS`; a slower answer is left to the browser).
   */
  readonly boot?: (scope: BootScope) => readonly BootQuery[];
}

/** Where a page is, for a contribution's `boot`: its org, its project, and the route's params. */
export interface BootScope {
  readonly orgId: string;
  readonly projectId?: string;
  readonly params: Readonly<Record<string, string | undefined>>;
}

/** A query a contribution makes first: its procedure's dotted path and its input. */
export interface BootQuery {
  readonly path: string;
  readonly input: unknown;
}

/** How long the server waits for the contributions' first queries before sending a page. */
export const BOOT_BUDGET_MS = 300;

/** A navigation link (`app.nav`). */
export interface LinkContribution extends ContributionBase {
  readonly label: string;
  /** An in-app path, starting with `/`. */
  readonly href: string;
  /** A small inline-SVG component, drawn at 18 px in `currentColor`. */
  readonly icon?: Component<{ class?: string }>;
  /** Only the exact path counts as "here" (the default for `/`). */
  readonly end?: boolean;
}

/** A component rendered inside a slot, usually `lazy(() => import("./ui/X"))`. */
export interface ComponentContribution<P extends Record<string, any>> extends ContributionBase {
  readonly component: Component<P>;
}

/** What a given slot accepts. */
export type SlotContribution<N extends SlotName> = (typeof SLOTS)[N]["kind"] extends "link"
  ? LinkContribution
  : ComponentContribution<SlotProps[N]>;

/**
 * Where a page lives. `org` and `project` pages sit inside that layout (`/o/:org/<path>`,
 * `/o/:org/p/:project/<path>`): they get its frame (the org or project loaded from the address,
 * its header and tabs, its loading, not-found and forbidden states), breadcrumbs with the real
 * names, and an HTTP 404 when the org, project or record is not visible to the caller. `bare`
 * pages stand alone at an absolute path (a public shared dashboard, a sign-in step).
 */
export type PageLayout = "org" | "project" | "bare";

/**
 * The record a page is about (a dashboard for `d/:slug/edit`): loaded by the layout's frame
 * through a query procedure named by its path, so the frame shows its not-found and forbidden
 * states, the breadcrumbs show its name, and the server answers 404 when it is not visible.
 * The page reads it with `usePageRecord()`.
 */
export interface PageRecord {
  /** A query procedure's dotted path (`"dashboards.get"`); it must answer NOT_FOUND for what the caller may not see. */
  readonly query: string;
  /** The query's input from the layout's scope and the route params. */
  readonly input: (scope: RecordScope, params: Readonly<Record<string, string | undefined>>) => Record<string, unknown>;
  /** The record's name, for breadcrumbs and titles. */
  readonly name: (record: never) => string;
  /** What it is, lower-case ("dashboard"), for "Dashboard not found". */
  readonly noun: string;
  /** The record's own page, relative to the layout (`d/:slug`); pages below it show it as a crumb. */
  readonly path: string;
  /**
   * Optional: turns the query's answer into what the pages read, before any page sees it (e.g.
   * parse a document with a parser loaded only then, through `import()`). It must accept its
   * own output and give it back unchanged: the server prepares the record of the page it
   * renders, and the page's HTML carries that (src/ui/boot.tsx), so in the browser `prepare`
   * then sees a prepared record. It also runs on the server, so no browser-only APIs.
   */
  readonly prepare?: (record: never) => unknown;
  /**
   * Optional: started with the query, so what `prepare` imports loads alongside it; not when
   * the page's HTML brought the record, already prepared (its first load from an address).
   */
  readonly preload?: () => unknown;
  /**
   * Optional: component slots the record's pages draw. Their contributions' code starts loading
   * with the query, so a banner or an action is ready when the record is, and its own calls
   * leave with the page's first ones instead of after another download.
   */
  readonly slots?: readonly SlotName[];
}

/** The org (and project, in the project layout) a record lives in. */
export interface RecordScope {
  readonly orgId: string;
  readonly projectId?: string;
}

/** A page a plugin adds to the router. */
export interface PluginPage {
  /** Which layout it lives in (see `PageLayout`). */
  readonly layout: PageLayout;
  /**
   * `bare`: an absolute path (`/s/:token`). `org`/`project`: a path relative to the layout
   * (`dashboards`, `d/:slug/edit`; `""` is the layout's own address); `:org` and `:project` are
   * the layout's.
   */
  readonly path: string;
  readonly component: Component<RouteSectionProps<any>>;
  /** Its label in the breadcrumbs (default: the record's name, or the last path segment, capitalized). */
  readonly breadcrumb?: string;
  /** The slot rendered in the page's action rail, if any. */
  readonly actions?: ActionRail;
  /** `bare` pages: "required" sends signed-out visitors to sign in and back (org and project pages always require it). */
  readonly signIn?: "required";
  /** `bare` pages: "focused" is a single centred column without the left navigation. */
  readonly chrome?: "focused";
  /**
   * `project` pages: "project" (the default) shows the project's header and tabs above the
   * page, as a tab of the project; "own" leaves the header to the page (a page about one record).
   */
  readonly header?: "project" | "own";
  /** `project` pages with the project header: the heading reads "<project>: <heading>". */
  readonly heading?: string;
  /** The record the page is about, loaded by the frame. */
  readonly record?: PageRecord;
  /**
   * `org` and `project` pages: the component slots the page draws whose contributions'
   * first queries (`boot`) its HTML should carry (the record's `slots` count too).
   */
  readonly slots?: readonly SlotName[];
  /**
   * `org` and `project` pages: the server renders the page itself, with the answers it computed
   * for the page's HTML (the person, the org and project, the record, the slots' `boot`
   * queries), so the first paint is the page's content instead of a spinner; the browser then
   * hydrates it from the same answers (src/ui/first-render.tsx). Opt in only when everything
   * the page draws first renders on the server: no `window`, `document` or storage outside
   * `onMount` and effects, and first data read with `createBrowserResource`'s `initial`.
   */
  readonly serverRender?: true;
  /** `bare` pages about something named in their address (a token): looked up so the server answers 404 when it is not there. */
  readonly lookup?: PageLookup;
  /**
   * `bare` pages: the address itself is a credential (`/s/<token>`): the response is sent with
   * `Referrer-Policy: no-referrer`, `Cache-Control: no-store` and `X-Robots-Tag: noindex`.
   */
  readonly secretAddress?: true;
  /**
   * With `record`: whether the (prepared) record holds what the rest of the address names (a
   * dashboard's chart for `d/:slug/charts/:chartId`). When it does not, the page is "not found"
   * like a missing record, and the server answers 404.
   */
  readonly within?: RecordPart;
}

/** What a page's address names inside its record (`PluginPage.within`). */
export interface RecordPart {
  /** What it is, lower-case ("chart"), for "Chart not found". */
  readonly noun: string;
  /** Whether the prepared record has it. */
  readonly has: (record: never, params: Readonly<Record<string, string | undefined>>) => boolean;
}

/** Typed constructor for `RecordPart`: `has` sees the record as `T`. */
export function recordPart<T>(part: { noun: string; has: (record: T, params: Readonly<Record<string, string | undefined>>) => boolean }): RecordPart {
  return part as RecordPart;
}

/** Typed constructor for `PageRecord`: `name` sees the query's result as `T`. */
export function pageRecord<T>(record: Omit<PageRecord, "name" | "prepare"> & { name: (record: T) => string; prepare?: (record: T) => T | Promise<T> }): PageRecord {
  return record as PageRecord;
}

/** The browser half of a plugin. */
export interface PluginUiDefinition<Id extends string = string> {
  /** The plugin's id, the same as its server half's. */
  readonly id: Id;
  readonly slots?: { readonly [N in SlotName]?: readonly SlotContribution<N>[] };
  readonly pages?: readonly PluginPage[];
}

/* ----------------------------------------------------------------------------------------
 * Action rail
 * ------------------------------------------------------------------------------------- */

/**
 * Names the slot a page's action rail renders, and how its props come from the route params.
 * Declared as route data (`info.actions`) so the layout knows it before the page renders,
 * on the server as in the browser.
 */
export interface ActionRail<N extends SlotName = SlotName> {
  readonly slot: N;
  readonly props: (params: Record<string, string | undefined>) => SlotProps[N];
}

/** Typed constructor for `ActionRail`: `actionRail("dashboard.actions", (p) => ({ dashboardSlug: p.slug! }))`. */
export function actionRail<N extends SlotName>(slot: N, props: ActionRail<N>["props"]): ActionRail {
  if (!isSlotName(slot)) throw new UiContractError(`Action rail: unknown slot "${String(slot)}"`);
  return { slot, props } as ActionRail;
}

/**
 * A page outside the org layouts that is about something named in its address (an invitation
 * by its token): a query procedure that answers NOT_FOUND when there is no such thing, so the
 * server answers 404. Route data: `info.lookup`.
 */
export interface PageLookup {
  /** A query procedure's dotted path (`"orgs.invitations.preview"`), callable by the visitor. */
  readonly query: string;
  /** Its input from the route params. */
  readonly input: (params: Readonly<Record<string, string | undefined>>) => Record<string, unknown>;
  /**
   * An embeddable page: the query's answer (or its UNAUTHORIZED error's `cause`) may carry
   * `frameAncestors` (`'none'`, or origins), which replaces the page's `frame-ancestors 'none'`;
   * an UNAUTHORIZED answer makes the page a 401 (a token refused: the page says why).
   */
  readonly framing?: true;
}

/** Route data the shell reads from `info` (file routes: `export const route = { info }`). */
export interface RouteInfo {
  /** The page's breadcrumb label. */
  breadcrumb?: string;
  /** The page's action rail. */
  actions?: ActionRail;
  /** "required": signed-out visitors are sent to `/sign-in?next=…` (on a layout: for every page under it). */
  signIn?: "required";
  /** "focused": a single centred column without the left navigation (sign-in, sign-up, invitations). */
  chrome?: "focused";
  /** On a layout route: which layout it is. */
  layout?: PageLayout;
  /** On a project page: whether the frame shows the project's header and tabs (see `PluginPage.header`). */
  header?: "project" | "own";
  /** On a project page: the heading after the project's name. */
  heading?: string;
  /** The record the page is about. */
  record?: PageRecord;
  /** The component slots the page draws (`PluginPage.slots`). */
  slots?: readonly SlotName[];
  /** Whether the record holds what the rest of the address names (`PluginPage.within`). */
  within?: PluginPage["within"];
  /** The server renders the page with its first data (`PluginPage.serverRender`). */
  serverRender?: true;
  /** The plugin that declared the page. */
  plugin?: string;
  /** Outside the org layouts: what the page is about, looked up so the server answers 404 when it does not exist. */
  lookup?: PageLookup;
  /** The address is a credential: no referrer, no caching, no indexing (see `PluginPage.secretAddress`). */
  secretAddress?: true;
}

/* ----------------------------------------------------------------------------------------
 * Validation
 * ------------------------------------------------------------------------------------- */

/** Thrown at module load when a UI half breaks the contract; the message says what to change. */
export class UiContractError extends Error {
  override name = "UiContractError";
}

const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const CONTRIBUTION_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function capabilityId(ref: CapabilityRef | undefined): string | undefined {
  return typeof ref === "string" ? ref : ref?.id;
}

function checkContribution(pluginId: string, slot: SlotName, c: unknown, problems: string[]): void {
  const where = `plugin "${pluginId}", slot "${slot}"`;
  if (!c || typeof c !== "object") {
    problems.push(`${where}: contributions must be objects`);
    return;
  }
  const item = c as Partial<LinkContribution & ComponentContribution<Record<string, unknown>>>;
  if (typeof item.id !== "string" || !CONTRIBUTION_ID.test(item.id)) {
    problems.push(`${where}: contribution id "${String(item.id)}" must be kebab-case (e.g. "share-button")`);
  }
  const label = `${where}, contribution "${String(item.id)}"`;
  if (item.order !== undefined && !Number.isFinite(item.order)) problems.push(`${label}: order must be a finite number`);
  if (item.capability !== undefined && !capabilityId(item.capability)) problems.push(`${label}: capability must be an id or a capability constant`);
  const spec = SLOTS[slot];
  if (item.slotVersion !== undefined && item.slotVersion !== spec.version) {
    problems.push(`${label}: written for version ${item.slotVersion} of the slot, but this app has version ${spec.version}`);
  }
  if (spec.kind === "link") {
    if (typeof item.label !== "string" || !item.label.trim()) problems.push(`${label}: a link needs a label`);
    if (typeof item.href !== "string" || !item.href.startsWith("/") || item.href.startsWith("//")) {
      problems.push(`${label}: href "${String(item.href)}" must be an in-app path starting with "/"`);
    }
    if ("component" in item) problems.push(`${label}: "${slot}" takes links ({ label, href }), not components`);
  } else if (typeof item.component !== "function") {
    problems.push(`${label}: needs a component, e.g. lazy(() => import("./ui/Thing"))`);
  }
}

const LAYOUTS: readonly PageLayout[] = ["org", "project", "bare"];
const SEGMENT = /^(?::[a-zA-Z][a-zA-Z0-9]*|[a-z0-9][a-z0-9-]*)$/;
const QUERY_PATH = /^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)+$/;

/** A page's path inside a layout: relative, plain segments or `:params`, not the layout's own params. */
function checkRelativePath(page: PluginPage, path: string, problems: string[], what = "path"): void {
  const where = `page "${path}" (${page.layout} layout)`;
  if (path.startsWith("/")) {
    problems.push(`${where}: the ${what} is relative to the layout: write "${path.replace(/^\/+/, "")}" (it lives at ${page.layout === "org" ? "/o/:org/" : "/o/:org/p/:project/"}…)`);
    return;
  }
  if (path === "") return;
  const segments = path.split("/");
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) problems.push(`${where}: segment "${segment}" must be lower-case letters, digits and hyphens, or a :param`);
    if (segment === ":org" || segment === ":project") problems.push(`${where}: ${segment} belongs to the layout; name the page's own params differently`);
  }
  if (page.layout === "org" && segments[0] === "p") problems.push(`${where}: "p/…" is the project layout's; declare the page with layout "project"`);
}

function checkPage(page: PluginPage, problems: string[]): void {
  const path = String(page.path);
  if (!LAYOUTS.includes(page.layout)) {
    problems.push(`page "${path}": layout must be "org", "project" or "bare", not "${String(page.layout)}"`);
    return;
  }
  if (typeof page.path !== "string") problems.push(`page "${path}": the path must be a string`);
  else if (page.layout === "bare") {
    if (!path.startsWith("/")) problems.push(`page path "${path}" must start with "/" (a bare page has an absolute path)`);
    else if (/^\/o(\/|$)/.test(path)) problems.push(`page "${path}": addresses under /o/ belong to the org and project layouts; declare the page with layout "org" or "project" and a relative path`);
  } else {
    checkRelativePath(page, path, problems);
    if (page.chrome !== undefined || page.signIn !== undefined) problems.push(`page "${path}" (${page.layout} layout): chrome and signIn are for bare pages (the layout decides them)`);
    if (page.lookup !== undefined || page.secretAddress !== undefined) problems.push(`page "${path}" (${page.layout} layout): lookup and secretAddress are for bare pages (the layout looks up its own)`);
  }
  if (page.serverRender !== undefined && (page.serverRender !== true || page.layout === "bare")) {
    problems.push(`page "${path}": serverRender is true or absent, and for org and project pages (their first data comes with the page)`);
  }
  if (page.slots !== undefined) {
    if (page.layout === "bare") problems.push(`page "${path}": slots are for org and project pages (the server answers their first queries in the layout's scope)`);
    else if (!Array.isArray(page.slots) || !page.slots.every((slot) => typeof slot === "string" && isSlotName(slot))) problems.push(`page "${path}": slots must name slots of SLOTS`);
  }
  if (page.layout !== "project" && (page.header !== undefined || page.heading !== undefined)) problems.push(`page "${path}": header and heading are for project pages`);
  if (typeof page.component !== "function") problems.push(`page "${path}" needs a component`);
  const record = page.record;
  if (page.within !== undefined && (!record || typeof page.within.has !== "function" || typeof page.within.noun !== "string")) {
    problems.push(`page "${path}": within needs a record to look in, a noun and a has(record, params) function`);
  }
  if (record) {
    if (page.layout === "bare") problems.push(`page "${path}": a record needs the org or project layout (its scope)`);
    if (typeof record.query !== "string" || !QUERY_PATH.test(record.query)) problems.push(`page "${path}": record query "${String(record.query)}" must be a procedure path such as "dashboards.get"`);
    if (typeof record.input !== "function" || typeof record.name !== "function") problems.push(`page "${path}": a record needs input and name functions`);
    if (typeof record.noun !== "string" || !record.noun.trim()) problems.push(`page "${path}": a record needs a noun ("dashboard")`);
    if (typeof record.path !== "string") problems.push(`page "${path}": a record needs the path of its own page`);
    else if (page.layout !== "bare") {
      checkRelativePath(page, record.path, problems, "record path");
      if (path !== record.path && !path.startsWith(`${record.path}/`)) problems.push(`page "${path}": its record's page "${record.path}" must be the page itself or above it`);
    }
  }
}

function fail(problems: string[], subject: string): void {
  if (problems.length) throw new UiContractError(`${subject} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/**
 * Declares a plugin's browser half. Checks its shape at once: known slot names, well-formed
 * and unique contribution ids, in-app hrefs, page paths.
 */
export function definePluginUi<const Id extends string>(definition: PluginUiDefinition<Id>): PluginUiDefinition<Id> {
  const problems: string[] = [];
  if (!PLUGIN_ID.test(definition.id)) problems.push(`id "${definition.id}" must be kebab-case (e.g. "auth-password")`);
  for (const [slot, contributions] of Object.entries(definition.slots ?? {})) {
    if (!isSlotName(slot)) {
      problems.push(`unknown slot "${slot}"; known slots: ${SLOT_NAMES.join(", ")}`);
      continue;
    }
    if (!Array.isArray(contributions)) {
      problems.push(`slot "${slot}" must be given an array of contributions`);
      continue;
    }
    const seen = new Set<string>();
    for (const c of contributions as unknown[]) {
      checkContribution(definition.id, slot, c, problems);
      const id = (c as { id?: unknown } | null)?.id;
      if (typeof id !== "string") continue;
      if (seen.has(id)) problems.push(`slot "${slot}": contribution id "${id}" is used twice`);
      seen.add(id);
    }
  }
  const paths = new Set<string>();
  for (const page of definition.pages ?? []) {
    checkPage(page, problems);
    const key = `${page.layout}:${page.path}`;
    if (paths.has(key)) problems.push(`page "${String(page.path)}" (${page.layout} layout) is declared twice`);
    paths.add(key);
  }
  fail(problems, `Plugin UI "${definition.id}"`);
  return Object.freeze({ ...definition });
}

/* ----------------------------------------------------------------------------------------
 * Composition
 * ------------------------------------------------------------------------------------- */

/** A contribution as the app renders it: qualified id, owning plugin, resolved order. */
export type ResolvedContribution<N extends SlotName> = SlotContribution<N> & {
  readonly key: string;
  readonly pluginId: string;
  readonly capabilityId: string | undefined;
  readonly sortOrder: number;
};

/** A plugin page with its owner and its address (`/o/:org/p/:project/d/:slug`). */
export type ResolvedPage = PluginPage & { readonly pluginId: string; readonly fullPath: string };

/** Where a layout's pages live. */
export const LAYOUT_BASE = { org: "/o/:org", project: "/o/:org/p/:project", bare: "" } as const satisfies Record<PageLayout, string>;

/** A page's address: a bare page's own, or the layout's base plus the relative path. */
export function fullPathOf(layout: PageLayout, path: string): string {
  if (layout === "bare") return path;
  return path ? `${LAYOUT_BASE[layout]}/${path}` : LAYOUT_BASE[layout];
}

/** All UI halves put together: contributions by slot, in render order, and pages. */
export interface UiRegistry {
  contributions<N extends SlotName>(slot: N): readonly ResolvedContribution<N>[];
  readonly pages: readonly ResolvedPage[];
}

const DEFAULT_ORDER = 100;

/**
 * Puts the UI halves of the installed plugins together, in list order. Throws when a plugin
 * id or a page path appears twice, or a qualified contribution id repeats within a slot.
 */
export function composePluginUis(uis: readonly PluginUiDefinition[]): UiRegistry {
  const problems: string[] = [];
  const pluginIds = new Set<string>();
  const bySlot = new Map<SlotName, Array<ResolvedContribution<SlotName>>>();
  const pages: ResolvedPage[] = [];
  const pageOwner = new Map<string, string>();

  for (const ui of uis) {
    if (pluginIds.has(ui.id)) problems.push(`plugin UI "${ui.id}" is listed twice`);
    pluginIds.add(ui.id);
    for (const [slot, contributions] of Object.entries(ui.slots ?? {}) as Array<[SlotName, readonly SlotContribution<SlotName>[]]>) {
      const list = bySlot.get(slot) ?? [];
      for (const c of contributions) {
        const key = `${ui.id}.${c.id}`;
        if (list.some((other) => other.key === key)) problems.push(`slot "${slot}": contribution "${key}" is declared twice`);
        list.push({ ...c, key, pluginId: ui.id, capabilityId: capabilityId(c.capability), sortOrder: c.order ?? DEFAULT_ORDER });
      }
      bySlot.set(slot, list);
    }
    for (const page of ui.pages ?? []) {
      const fullPath = fullPathOf(page.layout, page.path);
      // Params may be named differently and still clash (`/d/:slug` and `/d/:id`).
      const shape = fullPath.replace(/:[^/]+/g, ":");
      const owner = pageOwner.get(shape);
      if (owner) problems.push(`page "${fullPath}" is declared by both "${owner}" and "${ui.id}"`);
      pageOwner.set(shape, ui.id);
      pages.push({ ...page, pluginId: ui.id, fullPath });
    }
  }
  fail(problems, "The plugin UI list");

  // Array.prototype.sort is stable: equal orders keep plugin-list and declaration order.
  for (const list of bySlot.values()) list.sort((a, b) => a.sortOrder - b.sortOrder);
  const frozen = new Map([...bySlot].map(([slot, list]) => [slot, Object.freeze(list)]));
  return {
    contributions: <N extends SlotName>(slot: N) => (frozen.get(slot) ?? []) as unknown as readonly ResolvedContribution<N>[],
    pages: Object.freeze(pages),
  };
}

/** The kernel's own UI halves (src/ui/core-ui.ts, src/ui/settings/sign-in-ui.ts): no server plugin of that id. */
export const KERNEL_UI_IDS: readonly string[] = ["core", "sign-in"];

/**
 * The check promised by ADR 005: every UI half in src/plugins.ui.ts belongs to an installed
 * server plugin (or is one of the kernel's), and the UI halves come in the server list's order.
 * Throws, listing every problem, otherwise. Run when the server starts (src/entry-server.tsx).
 */
export function checkUiHalves(serverPluginIds: readonly string[], uiIds: readonly string[]): void {
  const problems: string[] = [];
  const position = new Map(serverPluginIds.map((id, index) => [id, index]));
  let last = -1;
  let lastId: string | undefined;
  for (const id of uiIds) {
    if (KERNEL_UI_IDS.includes(id)) continue;
    const at = position.get(id);
    if (at === undefined) {
      problems.push(`UI half "${id}" has no server plugin "${id}" in src/plugins.ts: install the plugin, or remove its UI from src/plugins.ui.ts`);
      continue;
    }
    if (at < last) problems.push(`UI half "${id}" comes after "${lastId}" in src/plugins.ui.ts, but before it in src/plugins.ts: list both in the same order`);
    else {
      last = at;
      lastId = id;
    }
  }
  fail(problems, "The plugin UI list");
}

/** Whether a member holding `capabilities` sees the contribution. */
export function isVisibleTo(contribution: { capabilityId: string | undefined }, capabilities: ReadonlySet<string>): boolean {
  return contribution.capabilityId === undefined || capabilities.has(contribution.capabilityId);
}
