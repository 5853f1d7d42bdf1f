/**
 * Liveness and readiness: 200 `{"status":"ok","db":"ok"}`, or 503 when the database does not
 * answer within two seconds.
 *
 * The ping uses the owner's small pool, not the app's: a flood of requests queueing for app
 * connections must not make a busy but working instance look dead to its load balancer.
 */
import type { APIEvent } from "@solidjs/start/server";
import { pingDatabase } from "~/kernel/db/database";
import { getKernel } from "~/server/kernel";

export async function GET(event: APIEvent) {
  const kernel = await getKernel().catch(() => null);
  const dbOk = kernel ? await pingDatabase(kernel.ownerDb) : false;
  // The request id lets an operator find this failure in the log.
  const requestId = (event.locals.requestId as string | undefined) ?? null;
  return new Response(JSON.stringify(dbOk ? { status: "ok", db: "ok" } : { status: "error", db: "unreachable", requestId }), {
    status: dbOk ? 200 : 503,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
