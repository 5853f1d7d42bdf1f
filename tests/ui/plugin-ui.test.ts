/**
 * The plugin UI contract: UI halves are checked when their module loads, and composed in
 * a predictable order.
 */
import { describe, expect, it } from "vitest";
import { coreUi } from "~/ui/core-ui";
import { composePluginUis, definePluginUi, isVisibleTo, SLOT_NAMES, UiContractError } from "~/ui/plugin-ui";
import { exampleUi } from "../example-plugin/ui";

const Panel = () => null;

describe("definePluginUi", () => {
  it("accepts the example plugin's UI half", () => {
    expect(exampleUi.id).toBe("example");
    expect(exampleUi.pages?.map((p) => [p.layout, p.path])).toEqual([
      ["bare", "/example/notes"],
      ["project", "notes"],
    ]);
  });

  it("refuses an unknown slot, naming the known ones", () => {
    const define = () => definePluginUi({ id: "typo", slots: { "dashboard.action": [{ id: "x", component: Panel }] } as never });
    expect(define).toThrow(UiContractError);
    expect(define).toThrow(/unknown slot "dashboard.action"; known slots: app.nav, /);
  });

  it("refuses a contribution id used twice in one slot", () => {
    expect(() =>
      definePluginUi({
        id: "twice",
        slots: { "admin.sections": [{ id: "usage", component: Panel }, { id: "usage", component: Panel }] },
      }),
    ).toThrow(/slot "admin.sections": contribution id "usage" is used twice/);
  });

  it("allows the same id in different slots", () => {
    expect(() =>
      definePluginUi({
        id: "spread",
        slots: { "admin.sections": [{ id: "usage", component: Panel }], "org.settings.sections": [{ id: "usage", component: Panel }] },
      }),
    ).not.toThrow();
  });

  it("refuses components in link slots, links without components, and links leaving the app", () => {
    const attempt = (slots: object) => () => definePluginUi({ id: "shapes", slots: slots as never });
    expect(attempt({ "app.nav": [{ id: "x", label: "X", href: "/x", component: Panel }] })).toThrow(/takes links/);
    expect(attempt({ "project.tabs": [{ id: "x", label: "X", href: "/x" }] })).toThrow(/needs a component/);
    expect(attempt({ "app.nav": [{ id: "x", label: "X", href: "https://example.com" }] })).toThrow(/in-app path/);
    expect(attempt({ "app.nav": [{ id: "x", label: "X", href: "//example.com" }] })).toThrow(/in-app path/);
    expect(attempt({ "app.nav": [{ id: "Bad_Id", label: "X", href: "/x" }] })).toThrow(/must be kebab-case/);
  });

  it("refuses a contribution written for another version of its slot", () => {
    expect(() =>
      definePluginUi({ id: "old", slots: { "dashboard.actions": [{ id: "x", component: Panel, slotVersion: 0 }] } }),
    ).toThrow(/written for version 0 of the slot, but this app has version 2/);
  });

  it("places pages in their layout: relative paths inside org and project, absolute outside", () => {
    const page = (p: object) => () => definePluginUi({ id: "pages", pages: [{ component: Panel, ...p } as never] });
    expect(page({ layout: "project", path: "/notes" })).toThrow(/relative to the layout: write "notes"/);
    expect(page({ layout: "bare", path: "/o/acme/notes" })).toThrow(/belong to the org and project layouts/);
    expect(page({ layout: "org", path: "p/:id/notes" })).toThrow(/is the project layout's/);
    expect(page({ layout: "project", path: "x/:project" })).toThrow(/:project belongs to the layout/);
    expect(page({ layout: "project", path: "Notes" })).toThrow(/must be lower-case/);
    expect(page({ layout: "sidebar", path: "notes" })).toThrow(/layout must be "org", "project" or "bare"/);
    expect(page({ layout: "org", path: "notes", chrome: "focused" })).toThrow(/chrome and signIn are for bare pages/);
    expect(page({ layout: "org", path: "notes", header: "own" })).toThrow(/header and heading are for project pages/);
    const record = { query: "example.notes.get", input: () => ({}), name: () => "", noun: "note", path: "n/:id" };
    expect(page({ layout: "project", path: "n/:id/edit", record })).not.toThrow();
    expect(page({ layout: "project", path: "other/:id", record })).toThrow(/its record's page "n\/:id" must be the page itself or above it/);
    expect(page({ layout: "bare", path: "/n/:id", record })).toThrow(/a record needs the org or project layout/);
    expect(page({ layout: "project", path: "n/:id", record: { ...record, query: "notes" } })).toThrow(/must be a procedure path/);
    // The slots whose first queries the page's HTML carries: real slots, on org and project pages.
    expect(page({ layout: "org", path: "notes", slots: ["workspace.assistant"] })).not.toThrow();
    expect(page({ layout: "org", path: "notes", slots: ["workspace.chat"] })).toThrow(/slots must name slots of SLOTS/);
    expect(page({ layout: "org", path: "notes", slots: "workspace.assistant" })).toThrow(/slots must name slots of SLOTS/);
    expect(page({ layout: "bare", path: "/notes", slots: ["workspace.assistant"] })).toThrow(/slots are for org and project pages/);
    // A part of the record named by the address (a dashboard's chart) is looked for in a record.
    const within = { noun: "line", has: () => true };
    expect(page({ layout: "project", path: "n/:id/lines/:line", record, within })).not.toThrow();
    expect(page({ layout: "project", path: "lines/:line", within })).toThrow(/within needs a record to look in/);
    expect(page({ layout: "project", path: "n/:id/lines/:line", record, within: { noun: "line" } })).toThrow(/within needs a record to look in/);
    // A lookup makes a bare page's server answer 404; org and project pages have their layout and record.
    const lookup = { query: "example.notes.get", input: () => ({}) };
    expect(page({ layout: "bare", path: "/n/:id", lookup })).not.toThrow();
    expect(page({ layout: "org", path: "n/:id", lookup })).toThrow(/lookup and secretAddress are for bare pages/);
  });

  it("renders org and project pages on the server only when they opt in with serverRender: true", () => {
    const page = (p: object) => () => definePluginUi({ id: "pages", pages: [{ component: Panel, ...p } as never] });
    expect(page({ layout: "project", path: "d/:slug", serverRender: true })).not.toThrow();
    expect(page({ layout: "org", path: "home", serverRender: true })).not.toThrow();
    // A bare page has no first answers to render with (no org, no record).
    expect(page({ layout: "bare", path: "/n/:id", serverRender: true })).toThrow(/serverRender is true or absent, and for org and project pages/);
    expect(page({ layout: "project", path: "d/:slug", serverRender: false as never })).toThrow(/serverRender is true or absent/);
  });

  it("refuses two pages at the same address, whatever their params are called", () => {
    const one = definePluginUi({ id: "one", pages: [{ layout: "project", path: "d/:slug", component: Panel }] });
    const two = definePluginUi({ id: "two", pages: [{ layout: "project", path: "d/:id", component: Panel }] });
    expect(() => composePluginUis([one, two])).toThrow(/page "\/o\/:org\/p\/:project\/d\/:id" is declared by both "one" and "two"/);
    expect(() => composePluginUis([coreUi, definePluginUi({ id: "three", pages: [{ layout: "org", path: "settings", component: Panel }] })])).toThrow(
      /page "\/o\/:org\/settings" is declared by both "core" and "three"/,
    );
  });

  it("refuses bad page paths and ids", () => {
    expect(() => definePluginUi({ id: "pages", pages: [{ layout: "bare", path: "notes", component: Panel }] })).toThrow(/must start with "\/"/);
    expect(() => definePluginUi({ id: "Pages", pages: [] })).toThrow(/must be kebab-case/);
  });
});

describe("composePluginUis", () => {
  it("orders contributions by order, then by plugin list order", () => {
    const a = definePluginUi({ id: "a", slots: { "app.nav": [{ id: "late", label: "Late", href: "/late", order: 200 }, { id: "one", label: "A", href: "/a" }] } });
    const b = definePluginUi({ id: "b", slots: { "app.nav": [{ id: "one", label: "B", href: "/b" }] } });
    const registry = composePluginUis([coreUi, a, b]);
    expect(registry.contributions("app.nav").map((c) => c.key)).toEqual(["core.home", "a.one", "b.one", "a.late"]);
    expect(registry.contributions("dashboard.actions")).toEqual([]);
  });

  it("puts the example plugin's Notes link after Home, its tab on projects, and registers its pages", () => {
    const registry = composePluginUis([coreUi, exampleUi]);
    expect(registry.contributions("app.nav").map((c) => c.label)).toEqual(["Home", "Notes"]);
    expect(registry.contributions("project.tabs").map((c) => [c.key, c.capabilityId])).toEqual([["example.notes-tab", "example.note.read"]]);
    expect(registry.pages.filter((p) => p.pluginId === "example").map((p) => p.fullPath)).toEqual(["/example/notes", "/o/:org/p/:project/notes"]);
  });

  it("refuses a plugin UI listed twice and a page path claimed twice", () => {
    expect(() => composePluginUis([coreUi, coreUi])).toThrow(/plugin UI "core" is listed twice/);
    const one = definePluginUi({ id: "one", pages: [{ layout: "bare", path: "/same", component: Panel }] });
    const two = definePluginUi({ id: "two", pages: [{ layout: "bare", path: "/same", component: Panel }] });
    expect(() => composePluginUis([one, two])).toThrow(/page "\/same" is declared by both "one" and "two"/);
  });

  it("shows a contribution without a capability to everyone, others only to holders", () => {
    const registry = composePluginUis([exampleUi]);
    const [action] = registry.contributions("dashboard.actions");
    expect(action?.capabilityId).toBe("example.note.read");
    expect(isVisibleTo(action!, new Set())).toBe(false);
    expect(isVisibleTo(action!, new Set(["example.note.read"]))).toBe(true);
    const [link] = registry.contributions("app.nav");
    expect(isVisibleTo(link!, new Set())).toBe(true);
  });

  it("knows every slot of the architecture, and the ones added since", () => {
    expect(SLOT_NAMES).toEqual([
      "app.nav",
      "org.settings.sections",
      "project.tabs",
      "dashboard.actions",
      "dashboard.editor.session",
      "chart.card.badges",
      "dashboard.history.version",
      "chart.editor.panels",
      "login.providers",
      "onboarding.steps",
      "admin.sections",
      "account.sections",
      "workspace.assistant",
      "org.home.sections",
      "login.forms",
      "signup.forms",
      "app.header",
      "app.banners",
      "account.profile",
      "account.security",
      "data.sections",
      "dashboard.banners",
      "dashboard.editor.conflict",
    ]);
  });
});
