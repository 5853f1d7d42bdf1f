/**
 * Removing a plugin is removing its line from the two lists (src/plugins.ts and
 * src/plugins.ui.ts): for every installed plugin, the rest still passes the boot checks, builds
 * its router and composes its UI without a trace of it. A plugin others require goes together
 * with them, as an operator would have to remove it. And the UI list belongs to the server list:
 * a UI half without its server plugin, or out of its order, is refused (ADR 005).
 */
import { describe, expect, it } from "vitest";
import { camelCase, type AnyPlugin } from "~/kernel/plugin";
import { buildAppRouter } from "~/kernel/router";
import { validatePlugins } from "~/kernel/kernel";
import { proceduresOf } from "~/kernel/trpc";
import { plugins } from "~/plugins";
import { pluginUis } from "~/plugins.ui";
import { checkUiHalves, composePluginUis, KERNEL_UI_IDS, SLOT_NAMES, UiContractError } from "~/ui/plugin-ui";

/** `id` and every plugin that requires it, directly or through another. */
function withDependents(id: string): Set<string> {
  const removed = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const plugin of plugins as readonly AnyPlugin[]) {
      if (!removed.has(plugin.id) && (plugin.requires ?? []).some((r) => removed.has(r))) {
        removed.add(plugin.id);
        grew = true;
      }
    }
  }
  return removed;
}

describe("removing a plugin from the two lists", () => {
  it("covers every installed plugin, and dashboards (with collaboration, sharing and git sync), onboarding and the MCP authorization server (it vets client metadata URLs with data's address filter) go with data", () => {
    expect(plugins.map((p) => p.id)).toContain("auth-password");
    expect([...withDependents("data")].sort()).toEqual(["collaboration", "dashboards", "data", "git-sync", "mcp-oauth", "onboarding", "sharing", "sync"]);
  });

  for (const plugin of plugins as readonly AnyPlugin[]) {
    it(`leaves a working server and UI without "${plugin.id}"`, () => {
      const removed = withDependents(plugin.id);
      const rest = (plugins as readonly AnyPlugin[]).filter((p) => !removed.has(p.id));
      const restUis = pluginUis.filter((ui) => !removed.has(ui.id));

      // The server: the boot checks pass (requires, capabilities, guards) and the router builds.
      expect(() => validatePlugins(rest)).not.toThrow();
      const router = buildAppRouter(rest);
      const keys = new Set(proceduresOf(router).map((p) => p.path.split(".")[0]));
      for (const id of removed) expect(keys.has(camelCase(id))).toBe(false);
      for (const kept of rest) if (kept.router) expect(keys.has(camelCase(kept.id))).toBe(true);
      expect(keys.has("orgs") && keys.has("projects") && keys.has("auth")).toBe(true);

      // The UI: composes, matches the server list, and holds nothing of the removed plugins.
      expect(() => checkUiHalves(rest.map((p) => p.id), restUis.map((ui) => ui.id))).not.toThrow();
      const registry = composePluginUis(restUis);
      expect(registry.pages.filter((page) => removed.has(page.pluginId))).toEqual([]);
      for (const slot of SLOT_NAMES) expect(registry.contributions(slot).filter((c) => removed.has(c.pluginId))).toEqual([]);
      // The kernel's pages do not depend on any plugin.
      expect(registry.pages.filter((page) => page.pluginId === "core").map((page) => page.fullPath)).toEqual([
        "/o/:org",
        "/o/:org/settings",
        "/o/:org/p/:project",
        "/o/:org/p/:project/settings",
      ]);
    });
  }
});

describe("the UI list against the server list (ADR 005)", () => {
  const serverIds = plugins.map((p) => p.id);

  it("accepts the installed lists", () => {
    expect(() => checkUiHalves(serverIds, pluginUis.map((ui) => ui.id))).not.toThrow();
    expect(KERNEL_UI_IDS).toEqual(["core", "sign-in"]);
  });

  it("refuses a UI half whose server plugin is not installed, naming both lists", () => {
    const ids = pluginUis.map((ui) => ui.id);
    const check = () => checkUiHalves(serverIds.filter((id) => id !== "dashboards"), ids);
    expect(check).toThrow(UiContractError);
    expect(check).toThrow(/UI half "dashboards" has no server plugin "dashboards" in src\/plugins.ts/);
    expect(() => checkUiHalves(serverIds, [...ids, "reports"])).toThrow(/UI half "reports" has no server plugin/);
  });

  it("refuses UI halves listed in another order than their server halves", () => {
    const ids = pluginUis.map((ui) => ui.id);
    const swapped = [...ids];
    const a = swapped.indexOf("data");
    const b = swapped.indexOf("dashboards");
    [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
    expect(() => checkUiHalves(serverIds, swapped)).toThrow(/UI half "data" comes after "dashboards" in src\/plugins.ui.ts, but before it in src\/plugins.ts/);
  });
});
