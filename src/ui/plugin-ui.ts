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
 * so `<Slot name="dashboard.actions" props={{ dashboardId }} />` is checked at compile time.
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
  "dashboard.actions": { dashboardId: string };
  "chart.editor.panels": { dashboardId: string; chartId: string };
  "login.providers": { returnTo?: string };
  "onboarding.steps": { onComplete: () => void };
  "admin.sections": NoProps;
  /** Sections of the account settings page, after the kernel's (identities, agent connection). */
  "account.sections": NoProps;
  /** The assistant panel beside what is open; `projectId` null on the org home. */
  "workspace.assistant": {
    projectId: string | null;
    dashboardSlug?: string | null;
    chartId?: string | null;
    place: "org.home" | "dashboard.view" | "dashboard.edit" | "chart.builder";
    /** Told once the panel knows whether a model is configured (a host may fold the panel away when not). */
    onStatus?: (status: { configured: boolean }) => void;
  };
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
  "dashboard.actions": { version: 1, kind: "component", description: "The action rail beside a dashboard" },
  "chart.editor.panels": { version: 1, kind: "component", description: "Panels of the chart editor" },
  "login.providers": { version: 1, kind: "component", description: "Sign-in buttons above the password form on the sign-in and sign-up pages" },
  "onboarding.steps": { version: 1, kind: "component", description: "Steps of the first-run onboarding" },
  "admin.sections": { version: 1, kind: "component", description: "Sections of the instance admin page" },
  "account.sections": { version: 1, kind: "component", description: "Sections of the account settings page, after Access tokens: render a <section> with an id and a heading" },
  "workspace.assistant": { version: 1, kind: "component", description: "The assistant panel on the org home, dashboard view, dashboard editor and chart builder (see src/ui/editor-bridge.ts)" },
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
}

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

/** A page a plugin adds to the router. */
export interface PluginPage {
  /** A router path: `/s/:token`, `/example/notes`. */
  readonly path: string;
  readonly component: Component<RouteSectionProps<any>>;
  /** Its label in the breadcrumbs (default: the last path segment, capitalized). */
  readonly breadcrumb?: string;
  /** The slot rendered in the page's action rail, if any. */
  readonly actions?: ActionRail;
  /** "required": only for signed-in people (others go to sign-in and come back). */
  readonly signIn?: "required";
  /** "focused": a single centred column without the left navigation. */
  readonly chrome?: "focused";
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

/** Typed constructor for `ActionRail`: `actionRail("dashboard.actions", (p) => ({ dashboardId: p.id! }))`. */
export function actionRail<N extends SlotName>(slot: N, props: ActionRail<N>["props"]): ActionRail {
  if (!isSlotName(slot)) throw new UiContractError(`Action rail: unknown slot "${String(slot)}"`);
  return { slot, props } as ActionRail;
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
    if (typeof page.path !== "string" || !page.path.startsWith("/")) problems.push(`page path "${String(page.path)}" must start with "/"`);
    else if (paths.has(page.path)) problems.push(`page path "${page.path}" is declared twice`);
    paths.add(page.path);
    if (typeof page.component !== "function") problems.push(`page "${String(page.path)}" needs a component`);
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

/** A plugin page with its owner. */
export type ResolvedPage = PluginPage & { readonly pluginId: string };

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
      const owner = pageOwner.get(page.path);
      if (owner) problems.push(`page "${page.path}" is declared by both "${owner}" and "${ui.id}"`);
      pageOwner.set(page.path, ui.id);
      pages.push({ ...page, pluginId: ui.id });
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

/** Whether a member holding `capabilities` sees the contribution. */
export function isVisibleTo(contribution: { capabilityId: string | undefined }, capabilities: ReadonlySet<string>): boolean {
  return contribution.capabilityId === undefined || capabilities.has(contribution.capabilityId);
}
