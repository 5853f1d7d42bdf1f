/**
 * `<Slot>`: renders the contributions of the installed plugins to one extension point, in
 * order, filtered by the current member's capabilities. Component contributions are lazy, so
 * each sits in its own `<Suspense>` (without one, server rendering shows nothing) and its own
 * error boundary (a broken plugin costs its own box, not the page).
 */
import { A } from "@solidjs/router";
import { createContext, createMemo, ErrorBoundary, For, onMount, Show, Suspense, useContext, type Accessor, type ParentProps } from "solid-js";
import { Dynamic } from "solid-js/web";
import { DotIcon } from "./icons";
import {
  composePluginUis,
  isVisibleTo,
  SLOTS,
  type ComponentContribution,
  type LinkContribution,
  type ResolvedContribution,
  type SlotName,
  type SlotProps,
  type UiRegistry,
} from "./plugin-ui";

/* ----------------------------------------------------------------------------------------
 * Contexts: the plugin UI registry and the member's capabilities
 * ------------------------------------------------------------------------------------- */

const UiRegistryContext = createContext<UiRegistry>(composePluginUis([]));

/** Makes the installed plugins' UI (src/plugins.ui.ts) available to `<Slot>`. */
export function UiRegistryProvider(props: ParentProps<{ registry: UiRegistry }>) {
  // The registry is fixed at build time; it is read once.
  // eslint-disable-next-line solid/reactivity
  return <UiRegistryContext.Provider value={props.registry}>{props.children}</UiRegistryContext.Provider>;
}

/** The installed plugins' UI. */
export function useUiRegistry(): UiRegistry {
  return useContext(UiRegistryContext);
}

const NO_CAPABILITIES: ReadonlySet<string> = new Set();
const CapabilitiesContext = createContext<Accessor<ReadonlySet<string>>>(() => NO_CAPABILITIES);

/** Provides the capability ids the member holds in the current organization. */
export function CapabilitiesProvider(props: ParentProps<{ capabilities: ReadonlySet<string> }>) {
  // The context holds an accessor, read by consumers in their own tracked scopes.
  // eslint-disable-next-line solid/reactivity
  return <CapabilitiesContext.Provider value={() => props.capabilities}>{props.children}</CapabilitiesContext.Provider>;
}

/**
 * The capability ids the member holds in the current organization (empty when signed out or
 * outside an org). For showing and hiding; the server still checks every call.
 */
export function useCapabilities(): Accessor<ReadonlySet<string>> {
  return useContext(CapabilitiesContext);
}

/** The contributions to `slot` the current member may see, in render order. */
export function useSlot<N extends SlotName>(slot: Accessor<N>): Accessor<readonly ResolvedContribution<N>[]> {
  const registry = useUiRegistry();
  const capabilities = useCapabilities();
  const visible = createMemo(() => registry.contributions(slot()).filter((c) => isVisibleTo(c, capabilities())));
  return visible;
}

/* ----------------------------------------------------------------------------------------
 * <Slot>
 * ------------------------------------------------------------------------------------- */

/** `props` is required exactly when the slot has required props. */
type SlotPropsArg<N extends SlotName> = object extends SlotProps[N] ? { props?: SlotProps[N] } : { props: SlotProps[N] };

export type SlotComponentProps<N extends SlotName> = { name: N } & SlotPropsArg<N>;

/**
 * Renders a slot. Link slots (`app.nav`) render a `<ul>` of links, marking the current page
 * with `aria-current="page"`; component slots render their components one after another
 * (the host lays them out).
 */
export function Slot<N extends SlotName>(props: SlotComponentProps<N>) {
  const contributions = useSlot(() => props.name);
  const isLinkSlot = () => SLOTS[props.name].kind === "link";
  return (
    <Show when={isLinkSlot()} fallback={<ComponentList name={props.name} items={contributions() as never} props={props.props} />}>
      <LinkList items={contributions() as unknown as readonly (LinkContribution & { key: string })[]} />
    </Show>
  );
}

function LinkList(props: { items: readonly (LinkContribution & { key: string })[] }) {
  return (
    <ul class="slot-links">
      <For each={props.items}>
        {(link) => (
          <li>
            <A href={link.href} end={link.end ?? link.href === "/"} class="nav-link" activeClass="nav-link--active" inactiveClass="" data-contribution={link.key}>
              <Dynamic component={link.icon ?? DotIcon} class="icon nav-link__icon" />
              <span class="nav-link__label">{link.label}</span>
            </A>
          </li>
        )}
      </For>
    </ul>
  );
}

function ComponentList(props: {
  name: SlotName;
  items: readonly (ComponentContribution<Record<string, unknown>> & { key: string })[];
  props: object | undefined;
}) {
  return (
    <For each={props.items}>
      {(item) => (
        <ErrorBoundary fallback={(error) => <ContributionFailed contribution={item.key} error={error} />}>
          <Suspense>
            <Dynamic component={item.component} {...(props.props ?? {})} />
          </Suspense>
        </ErrorBoundary>
      )}
    </For>
  );
}

function ContributionFailed(props: { contribution: string; error: unknown }) {
  // Reported once per failure; the rest of the page keeps working.
  onMount(() => console.error(`Slot contribution "${props.contribution}" failed:`, props.error));
  return (
    <p class="slot-error" data-contribution={props.contribution}>
      This part of the page could not be shown.
    </p>
  );
}
