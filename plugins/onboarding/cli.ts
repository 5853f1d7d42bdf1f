/**
 * Operator commands: `atrium onboarding:funnel` prints the setup funnel (how many orgs reached
 * each stage and when, time per wizard step, sessions by status) from the recorded product
 * events, across every org, on the owner's connection.
 */
import type { CliCommand } from "~/kernel/plugin";
import { formatFunnel, funnelReport } from "./funnel";

export const onboardingCli: Record<string, CliCommand> = {
  "onboarding:funnel": {
    summary: "The setup funnel: orgs reaching each stage, time per wizard step, sessions by status",
    usage: "[--since <YYYY-MM-DD>] [--json]",
    async run({ kernel, flags, print }) {
      let since: Date | undefined;
      if (flags.since !== undefined) {
        since = typeof flags.since === "string" && /^\d{4}-\d{2}-\d{2}/.test(flags.since) ? new Date(flags.since) : new Date(Number.NaN);
        if (Number.isNaN(since.getTime())) throw new Error("--since takes a date, YYYY-MM-DD");
      }
      const report = await funnelReport(kernel, { since });
      if (flags.json) print(JSON.stringify(report, null, 2));
      else for (const line of formatFunnel(report)) print(line);
    },
  },
};
