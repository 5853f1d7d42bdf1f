/**
 * Liveness and readiness: 200 `{"status":"ok","db":"ok"}`, or 503 when the database does not
 * answer within two seconds.
 */
import { pingDatabase } from "~/kernel/db/database";
import { getKernel } from "~/server/kernel";

export async function GET() {
  const kernel = await getKernel().catch(() => null);
  const dbOk = kernel ? await pingDatabase(kernel.db) : false;
  return new Response(JSON.stringify(dbOk ? { status: "ok", db: "ok" } : { status: "error", db: "unreachable" }), {
    status: dbOk ? 200 : 503,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}
