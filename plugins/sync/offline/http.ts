/**
 * `GET /api/v1/export/:orgId/:projectId/:slug`: a dashboard exported for offline use (./export.ts),
 * as a zip archive (default; what the "Export for offline" button downloads) or, with
 * `?format=json`, as `{ files: { name: text } }` (what `atrium export` writes into a folder).
 *
 * The caller is the session (the button) or a bearer token (the CLI: personal, or OAuth issued
 * for `/api/v1`); the dashboard is read and run through `dashboards.get` and `dashboards.run` as
 * that caller, so a dashboard they may not see is a 404 here too and the run takes from their
 * org's query budget. A GET that changes nothing: no Origin check is needed.
 */
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { HttpContext, HttpRoute } from "~/kernel/http/routes";
import { viewerAssets } from "./assets";
import { offlineDataOf, offlineFiles, offlineZip } from "./export";

export const OFFLINE_EXPORT_PATH = "/api/v1/export/:orgId/:projectId/:slug";

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

function problem(ctx: HttpContext, status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message, requestId: ctx.requestId } }, { status, headers: { "cache-control": "no-store" } });
}

async function exportOffline(_request: Request, ctx: HttpContext): Promise<Response> {
  const { orgId, projectId, slug } = ctx.params as { orgId: string; projectId: string; slug: string };
  const format = ctx.url.searchParams.get("format") ?? "zip";
  if (format !== "zip" && format !== "json") return problem(ctx, 422, "VALIDATION_FAILED", "format must be zip or json.");
  // A malformed address names nothing: the same 404 as a dashboard the caller may not see.
  if (!ID.test(orgId) || !ID.test(projectId) || !SLUG.test(slug)) return problem(ctx, 404, "NOT_FOUND", "Dashboard not found.");
  let data;
  try {
    data = await offlineDataOf((path, input) => ctx.call(path, input), { orgId, projectId, slug });
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const status = getHTTPStatusCodeFromError(err);
    if (status >= 500) throw err;
    return problem(ctx, status, err.code, err.message);
  }
  const files = offlineFiles(data, await viewerAssets());
  if (format === "json") return Response.json({ slug: data.slug, files }, { headers: { "cache-control": "no-store" } });
  return new Response(Buffer.from(offlineZip(data.slug, files)), {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${data.slug}-offline.zip"`,
      "cache-control": "no-store",
    },
  });
}

export const offlineExportRoute: HttpRoute = { method: "GET", path: OFFLINE_EXPORT_PATH, bearerResource: "/api/v1", handle: exportOffline };
