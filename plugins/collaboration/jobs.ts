/** The email digest: one mail per person and org with what they were told since the last one. */
import { defineJob } from "~/kernel/jobs";
import type { Kernel } from "~/kernel/kernel";
import { sendDigest } from "./notifications";

export const emailDigestJob = defineJob<"collaboration.email-digest", { orgId: string; userId: string }>("collaboration.email-digest", {
  retryLimit: 3,
  retryDelaySeconds: 30,
  async run(data, { kernel, log }) {
    const { sent } = await sendDigest(kernel as Kernel, data.orgId, data.userId);
    log.debug({ orgId: data.orgId, sent }, "comment digest");
  },
});
