/** The rest-api plugin's browser half: the API reference page, read from the OpenAPI document. */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";

export const restApiUi = definePluginUi({
  id: "rest-api",
  pages: [{ layout: "bare", path: "/developers/api", breadcrumb: "API reference", component: lazy(() => import("./ui/ApiReferencePage")) }],
});
