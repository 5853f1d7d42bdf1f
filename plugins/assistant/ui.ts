/**
 * The assistant's browser half: its panel in the `workspace.assistant` slot (org home,
 * dashboard view, dashboard editor, chart builder). The panel and the AI SDK's client load
 * lazily, only where the slot renders.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { assistantUse } from "./capabilities";
// With the app's first stylesheet: the panel is drawn in the HTML of server-rendered pages (`serverRender`).
import "./ui/assistant.css";

export const assistantUi = definePluginUi({
  id: "assistant",
  slots: {
    "workspace.assistant": [
      {
        id: "panel",
        capability: assistantUse,
        slotVersion: 1,
        component: lazy(() => import("./ui/AssistantPanel")),
        // Whether a model is configured decides what the panel shows first: the page brings it.
        boot: ({ orgId }) => [{ path: "assistant.status", input: { orgId } }],
      },
    ],
  },
});
