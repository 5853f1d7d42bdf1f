import { MetaProvider } from "@solidjs/meta";
import { Route, Router } from "@solidjs/router";
import { FileRoutes } from "@solidjs/start/router";
import { pluginUi } from "./plugins.ui";
import { Layout } from "./ui/Layout";
import { CapabilitiesProvider, UiRegistryProvider } from "./ui/Slot";
import "./app.css";

// Membership (and so capabilities) arrives with sign-in; until then nobody holds any.
const NO_CAPABILITIES: ReadonlySet<string> = new Set();

export default function App() {
  return (
    <MetaProvider>
      <UiRegistryProvider registry={pluginUi}>
        <CapabilitiesProvider capabilities={NO_CAPABILITIES}>
          <Router root={Layout}>
            <FileRoutes />
            {/* Route definitions, not DOM: built once from the static list. */}
            {/* eslint-disable-next-line solid/prefer-for */}
            {pluginUi.pages.map((page) => (
              <Route path={page.path} component={page.component} info={{ breadcrumb: page.breadcrumb, actions: page.actions, signIn: page.signIn, chrome: page.chrome, plugin: page.pluginId }} />
            ))}
          </Router>
        </CapabilitiesProvider>
      </UiRegistryProvider>
    </MetaProvider>
  );
}
