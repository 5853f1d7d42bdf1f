/**
 * Background syncs on pg-boss: `git-sync.sync` syncs one project's trunk (at most one queued per
 * project: singleton key), `git-sync.sweep` queues one for every connected project every hour,
 * for repositories without a webhook. Both end in `syncTrunk`, under the same per-branch lock.
 */
import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { backgroundSync, connectedProjects } from "./service";

export const syncTrunkJob = defineJob<"git-sync.sync", { orgId: string; projectId: string }>("git-sync.sync", {
  retryLimit: 2,
  retryDelaySeconds: 30,
  expireInSeconds: 15 * 60,
  async run(data, { kernel, log }) {
    const result = await backgroundSync(kernel as Kernel, data);
    log.debug({ projectId: data.projectId, commitSha: result?.commitSha ?? null, imported: result?.imported.length ?? 0 }, "git sync");
  },
});

export const sweepJob = defineJob<"git-sync.sweep">("git-sync.sweep", {
  schedule: "17 * * * *",
  retryLimit: 1,
  async run(_data, { kernel }) {
    const k = kernel as Kernel;
    for (const target of await connectedProjects(k)) {
      await k.jobs.enqueue(syncTrunkJob, target, { singletonKey: `git-sync:${target.projectId}` });
    }
  },
});

export const gitSyncJobs = [syncTrunkJob, sweepJob] as const;
