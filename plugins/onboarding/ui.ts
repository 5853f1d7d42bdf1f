/**
 * The onboarding plugin's browser half: the setup checklist on the org home, the setup wizard and
 * the task board page. Components load lazily.
 */
import { lazy } from "solid-js";
import { definePluginUi } from "~/ui/plugin-ui";
import { onboardingView } from "./capabilities";

export const onboardingUi = definePluginUi({
  id: "onboarding",
  slots: {
    "org.home.sections": [{ id: "setup-checklist", order: 10, capability: onboardingView, component: lazy(() => import("./ui/SetupChecklist")) }],
  },
  pages: [
    { layout: "org", path: "setup", breadcrumb: "Setup", component: lazy(() => import("./ui/WizardPage")) },
    { layout: "org", path: "setup/tasks", breadcrumb: "Setup tasks", component: lazy(() => import("./ui/TaskBoardPage")) },
  ],
});
