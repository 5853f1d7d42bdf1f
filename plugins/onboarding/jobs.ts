/**
 * The onboarding plugin's scheduled job: once a day, setup sessions left without activity for
 * `ABANDON_AFTER_DAYS` days become `abandoned` (the wizard then offers to resume or start over).
 */
import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { abandonIdleSessions, ABANDON_AFTER_DAYS } from "./wizard";

export const abandonSessionsJob = defineJob<"onboarding.abandon-sessions", Record<string, never>>("onboarding.abandon-sessions", {
  schedule: "41 3 * * *",
  retryLimit: 2,
  async run(_data, { kernel, log }) {
    const abandoned = await abandonIdleSessions((kernel as Kernel).ownerDb, ABANDON_AFTER_DAYS);
    if (abandoned.length) log.info({ sessions: abandoned.length, afterDays: ABANDON_AFTER_DAYS }, "idle setup sessions abandoned");
  },
});
