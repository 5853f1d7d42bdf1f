/**
 * The kernel's own contributions to the slots, declared like any plugin's UI half.
 */
import { HomeIcon } from "./icons";
import { definePluginUi } from "./plugin-ui";

export const coreUi = definePluginUi({
  id: "core",
  slots: {
    "app.nav": [{ id: "home", label: "Home", href: "/", icon: HomeIcon, order: 0, end: true }],
  },
});
