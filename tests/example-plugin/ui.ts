/**
 * The example plugin's browser half: what a plugin adds to the UI. Imports nothing from the
 * server half except capability constants (plain data); components load lazily, so the
 * plugin's code is fetched only when a page or slot shows it.
 *
 * Installed by adding `exampleUi` to the list in src/plugins.ui.ts (the shipped app does not).
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { noteRead } from "./capabilities";

export const exampleUi = definePluginUi({
  id: "example",
  slots: {
    // A link in the left navigation, after Home.
    "app.nav": [{ id: "notes", label: "Notes", href: "/example/notes", order: 50 }],
    // A tab on every project, for members who may read notes; it leads to the project page below.
    "project.tabs": [{ id: "notes-tab", capability: noteRead, component: lazy(() => import("./ui/NotesTab")) }],
    // A button in the dashboard action rail, for members who may read notes.
    "dashboard.actions": [
      { id: "note-count", capability: noteRead, component: lazy(() => import("./ui/DashboardNotesAction")) },
    ],
  },
  pages: [
    // A page of its own, outside any org (the link in the navigation leads here).
    { layout: "bare", path: "/example/notes", breadcrumb: "Notes", component: lazy(() => import("./ui/NotesPage")) },
    // A project page: /o/:org/p/:project/notes, inside the project's frame (header, tabs, states),
    // with the breadcrumbs Home › <org> › <project> › Notes.
    { layout: "project", path: "notes", heading: "notes", breadcrumb: "Notes", component: lazy(() => import("./ui/ProjectNotesPage")) },
  ],
});
