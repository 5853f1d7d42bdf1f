/**
 * The kernel's own housekeeping, hourly: rows that no request will ever read again.
 *
 * - `rate_limits`: a row whose window started more than {@link RATE_LIMIT_RETENTION_HOURS} ago.
 *   No limit uses a window longer than an hour, and the next hit on a key whose window has
 *   passed starts a new one anyway, so removing the row changes no answer; without this the
 *   table keeps one row per address, email and token that ever hit a limit.
 * - `sessions`: sessions that expired more than a day ago (an expired session is refused
 *   already; the day leaves it visible to whoever looks into a sign-in problem).
 *
 * Both deletes go in batches of {@link BATCH}, so a first run on a large table holds no long
 * lock and writes no huge transaction.
 */
import { sql } from "kysely";
import { defineJob } from "./jobs";
import type { Kernel } from "./kernel";

export const RATE_LIMIT_RETENTION_HOURS = 24;
const BATCH = 5_000;

/** Removes what housekeeping removes; resolves with how many rows of each. */
export async function removeStaleRows(kernel: Pick<Kernel, "ownerDb">): Promise<{ rateLimits: number; sessions: number }> {
  const db = kernel.ownerDb;
  const inBatches = async (remove: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const removed = await remove();
      total += removed;
      if (removed < BATCH) return total;
    }
  };
  const rateLimits = await inBatches(async () => {
    const { numAffectedRows } = await sql`
      delete from rate_limits where key in (
        select key from rate_limits where window_start < now() - make_interval(hours => ${RATE_LIMIT_RETENTION_HOURS}) limit ${BATCH})`.execute(db);
    return Number(numAffectedRows ?? 0);
  });
  const sessions = await inBatches(async () => {
    const { numAffectedRows } = await sql`
      delete from sessions where id in (select id from sessions where expires_at < now() - interval '1 day' limit ${BATCH})`.execute(db);
    return Number(numAffectedRows ?? 0);
  });
  return { rateLimits, sessions };
}

export const housekeepingJob = defineJob<"kernel.housekeeping">("kernel.housekeeping", {
  schedule: "29 * * * *",
  async run(_data, { kernel, log }) {
    const removed = await removeStaleRows(kernel as Kernel);
    if (removed.rateLimits || removed.sessions) log.info(removed, "stale rate-limit windows and expired sessions removed");
  },
});
