/**
 * Type tests for the slot contract, checked by `tsc` (npm run typecheck): each line marked
 * @ts-expect-error must stay an error.
 */
import { lazy } from "solid-js";
import { Slot } from "~/ui/Slot";
import { definePluginUi, type SlotProps } from "~/ui/plugin-ui";

const ShareButton = (props: SlotProps["dashboard.actions"]) => <button type="button">Share {props.dashboardSlug}</button>;

export function Typed() {
  return (
    <>
      <Slot name="app.nav" />
      <Slot name="dashboard.actions" props={{ dashboardSlug: "d1" }} />
      <Slot name="login.providers" />
      {/* @ts-expect-error dashboard.actions needs its props */}
      <Slot name="dashboard.actions" />
      {/* @ts-expect-error wrong prop name */}
      <Slot name="dashboard.actions" props={{ dashboard: "d1" }} />
      {/* @ts-expect-error unknown slot */}
      <Slot name="dashboard.sidebar" />
    </>
  );
}

definePluginUi({
  id: "typed",
  slots: {
    "dashboard.actions": [{ id: "share", component: ShareButton }],
    "app.nav": [{ id: "home", label: "Home", href: "/" }],
  },
});

definePluginUi({
  id: "typed-wrong-kind",
  slots: {
    // @ts-expect-error app.nav takes links, not components
    "app.nav": [{ id: "share", component: ShareButton }],
  },
});

definePluginUi({
  id: "typed-wrong-props",
  slots: {
    // @ts-expect-error project.tabs passes { projectId }, the component needs { dashboardSlug }
    "project.tabs": [{ id: "share", component: lazy(() => Promise.resolve({ default: ShareButton })) }],
  },
});

definePluginUi({
  id: "typed-unknown-slot",
  slots: {
    // @ts-expect-error unknown slot
    "dashboard.sidebar": [],
  },
});
