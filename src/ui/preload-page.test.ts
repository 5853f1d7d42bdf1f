import { describe, expect, it } from "vitest";
import { pluginUi } from "~/plugins.ui";
import type { ResolvedPage, UiRegistry } from "./plugin-ui";
import { pageAt } from "./preload-page";

describe("the page an address opens, for preloading its code", () => {
  it("finds the page, its record's page and its layout's own page", () => {
    expect(pageAt(pluginUi, "/o/acme/p/web/d/sales")?.fullPath).toBe("/o/:org/p/:project/d/:slug");
    expect(pageAt(pluginUi, "/o/acme/p/web/d/sales/edit")?.fullPath).toBe("/o/:org/p/:project/d/:slug/edit");
    expect(pageAt(pluginUi, "/o/acme")?.fullPath).toBe("/o/:org");
  });

  it("prefers a static segment over a parameter where both match, in either order", () => {
    const page = (fullPath: string) => ({ fullPath }) as ResolvedPage;
    for (const pages of [[page("/o/:org/:section"), page("/o/:org/settings")], [page("/o/:org/settings"), page("/o/:org/:section")]]) {
      const registry = { pages, contributions: () => [] } as unknown as UiRegistry;
      expect(pageAt(registry, "/o/acme/settings")?.fullPath).toBe("/o/:org/settings");
      expect(pageAt(registry, "/o/acme/members")?.fullPath).toBe("/o/:org/:section");
    }
  });

  it("finds nothing for an address no page declares", () => {
    expect(pageAt(pluginUi, "/o/acme/p/web/d/sales/no/such/page")).toBeUndefined();
    expect(pageAt(pluginUi, "/nowhere")).toBeUndefined();
  });
});
