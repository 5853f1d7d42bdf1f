/**
 * The onboarding plugin: an org's setup status computed from its real state (projects, data
 * sources, data, dashboards and the newest evidence), the org home's setup checklist, and a task
 * board of setup runs (one active per org and task, worked by the job system, with evidence-only
 * badges). Its browser half is `./ui.ts`. Reads other plugins through `data/engine` and
 * `dashboards/directory` only.
 */
import { definePlugin } from "~/kernel/plugin";
import { onboardingCapabilities } from "./capabilities";
import { onboardingCli } from "./cli";
import { abandonSessionsJob } from "./jobs";
import * as taskRunsMigration from "./migrations/2026-12-02-001-task-runs";
import * as wizardSessionsMigration from "./migrations/2026-12-02-002-wizard-sessions";
import * as funnelMigration from "./migrations/2026-12-02-003-funnel-and-abandon";
import { onboardingRouter } from "./router";
import { startReaper, stopReaper, taskRunJob } from "./worker";

export const onboardingPlugin = definePlugin({
  id: "onboarding",
  requires: ["data", "dashboards"],
  capabilities: onboardingCapabilities,
  migrations: { "2026-12-02-001-task-runs": taskRunsMigration, "2026-12-02-002-wizard-sessions": wizardSessionsMigration, "2026-12-02-003-funnel-and-abandon": funnelMigration },
  router: onboardingRouter,
  jobs: [taskRunJob, abandonSessionsJob],
  cli: onboardingCli,
  init({ kernel }) {
    // Every process watches for runs whose worker died (a cheap indexed update on an interval).
    startReaper(kernel);
  },
  stop({ kernel }) {
    stopReaper(kernel);
  },
});
