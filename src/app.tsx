import { MetaProvider } from "@solidjs/meta";
import { Route, Router } from "@solidjs/router";
import { FileRoutes } from "@solidjs/start/router";
import { pluginUi } from "./plugins.ui";
import { OrgFrame, ProjectFrame } from "./ui/frames";
import { Layout } from "./ui/Layout";
import type { PageLayout, ResolvedPage, RouteInfo } from "./ui/plugin-ui";
import { CapabilitiesProvider, UiRegistryProvider } from "./ui/Slot";
import "./app.css";

// Membership (and so capabilities) arrives with sign-in; until then nobody holds any.
const NO_CAPABILITIES: ReadonlySet<string> = new Set();

/** A page's route inside its layout's route (or at the top, for bare pages). */
function pageRoute(page: ResolvedPage) {
  const info: RouteInfo = {
    breadcrumb: page.breadcrumb,
    actions: page.actions,
    signIn: page.signIn,
    chrome: page.chrome,
    header: page.header,
    heading: page.heading,
    record: page.record,
    slots: page.slots,
    within: page.within,
    serverRender: page.serverRender,
    plugin: page.pluginId,
    lookup: page.lookup,
    secretAddress: page.secretAddress,
  };
  return <Route path={page.layout === "bare" ? page.path : `/${page.path}`} component={page.component} info={info} />;
}

const pagesIn = (layout: PageLayout) => pluginUi.pages.filter((page) => page.layout === layout).map(pageRoute);

export default function App() {
  return (
    <MetaProvider>
      <UiRegistryProvider registry={pluginUi}>
        <CapabilitiesProvider capabilities={NO_CAPABILITIES}>
          <Router root={Layout}>
            <FileRoutes />
            {/* Route definitions, not DOM: built once from the static lists. Org and project
                pages (the kernel's and the plugins') nest in their layout's frame. */}
            <Route path="/o/:org" component={OrgFrame} info={{ signIn: "required", layout: "org" } satisfies RouteInfo}>
              {pagesIn("org")}
              <Route path="/p/:project" component={ProjectFrame} info={{ layout: "project" } satisfies RouteInfo}>
                {pagesIn("project")}
              </Route>
            </Route>
            {pagesIn("bare")}
          </Router>
        </CapabilitiesProvider>
      </UiRegistryProvider>
    </MetaProvider>
  );
}
