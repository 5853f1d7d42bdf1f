import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { computeDigest, exampleDb } from "./service";

/** Recounts an org's notes. Fails on purpose when asked to, so tests can watch retries. */
export const noteDigestJob = defineJob<"example.note-digest", { orgId: string; failTimes?: number }>("example.note-digest", {
  retryLimit: 3,
  retryDelaySeconds: 1,
  async run(data, { kernel, retryCount }) {
    if (data.failTimes && retryCount < data.failTimes) throw new Error(`planned failure ${retryCount + 1}`);
    // Jobs run outside any request: they open their own tenant scope.
    await (kernel as Kernel).withScope({ orgId: data.orgId }, (trx) => computeDigest(exampleDb(trx), data.orgId));
  },
});
