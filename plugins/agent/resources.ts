/**
 * Dashboards as MCP resources: `atrium://<org>/<project>/dashboards/<slug>`, the YAML document.
 * Listed and read through the procedures (dashboards.recent, projects.bySlug, dashboards.get),
 * so a token sees exactly the dashboards its person may see in its org, those shared with them
 * included (a person whose only access is a share sees just what was shared), and nothing else.
 */
import { TRPCError } from "@trpc/server";
import type { Resource, ResourceTemplate, TextResourceContents } from "@modelcontextprotocol/sdk/types.js";
import { callProcedure, hasProcedure, type AgentRequest } from "./context";

export const RESOURCE_MIME = "application/yaml";

export const DASHBOARD_TEMPLATE: ResourceTemplate = {
  uriTemplate: "atrium://{org}/{project}/dashboards/{slug}",
  name: "dashboard",
  title: "Dashboard (YAML)",
  description: "A dashboard's YAML document, by organization slug, project slug and dashboard slug.",
  mimeType: RESOURCE_MIME,
};

/** At most this many dashboards are listed (the template reaches any of them). */
const MAX_LISTED = 500;

const URI = /^atrium:\/\/([a-z0-9-]{1,64})\/([a-z0-9-]{1,64})\/dashboards\/([a-z0-9-]{1,100})$/;

export function dashboardUri(org: string, project: string, slug: string): string {
  return `atrium://${org}/${project}/dashboards/${slug}`;
}

/**
 * The token's own org (its id and slug). A member finds it in `orgs.list`; someone whose only
 * access there is a share is not a member, so its slug is read under the token's scope (the
 * token is bound to that org; what they may see in it is still decided by each procedure).
 */
async function tokenOrg(request: AgentRequest): Promise<{ id: string; slug: string } | null> {
  const orgs = (await callProcedure(request, "orgs.list", {})) as Array<{ id: string; slug: string }>;
  const member = orgs.find((o) => o.id === request.actor.orgId);
  if (member) return member;
  const { userId, orgId } = request.actor;
  const row = await request.kernel.withScope({ userId, orgId }, (trx) =>
    trx.selectFrom("orgs").select(["id", "slug"]).where("id", "=", orgId).where("deleted_at", "is", null).executeTakeFirst(),
  );
  return row ?? null;
}

interface DashboardSummary {
  slug: string;
  title: string;
  description?: string | null;
  projectId: string;
  projectSlug: string;
  projectName: string;
}

/** The dashboards the token's person may see in its org (the most recently changed first), at most MAX_LISTED. */
async function reachableDashboards(request: AgentRequest, orgId: string): Promise<DashboardSummary[]> {
  try {
    return ((await callProcedure(request, "dashboards.recent", { orgId, limit: MAX_LISTED })) as { items: DashboardSummary[] }).items;
  } catch (err) {
    if (err instanceof TRPCError && ["NOT_FOUND", "FORBIDDEN"].includes(err.code)) return [];
    throw err;
  }
}

export async function dashboardResources(request: AgentRequest): Promise<Resource[]> {
  if (!hasProcedure(request.router, "dashboards.recent")) return [];
  const org = await tokenOrg(request);
  if (!org) return [];
  const dashboards = await reachableDashboards(request, org.id);
  return dashboards.map((d) => ({
    uri: dashboardUri(org.slug, d.projectSlug, d.slug),
    name: `${d.projectSlug}/${d.slug}`,
    title: `${d.title} (${d.projectName})`,
    description: d.description || undefined,
    mimeType: RESOURCE_MIME,
  }));
}

/**
 * A project's id by slug: through `projects.bySlug` for a member; for a project reached only by
 * a share, through the dashboards the person may see (so a share never reveals other projects).
 */
async function projectIdBySlug(request: AgentRequest, orgId: string, projectSlug: string, dashboardSlug: string): Promise<string | null> {
  try {
    return ((await callProcedure(request, "projects.bySlug", { orgId, slug: projectSlug })) as { id: string }).id;
  } catch (err) {
    if (!(err instanceof TRPCError) || err.code !== "NOT_FOUND") throw err;
  }
  const shared = (await reachableDashboards(request, orgId)).find((d) => d.projectSlug === projectSlug && d.slug === dashboardSlug);
  return shared?.projectId ?? null;
}

/** The dashboard's YAML, or null when it does not exist or the caller may not see it (same answer). */
export async function readDashboardResource(request: AgentRequest, uri: string): Promise<TextResourceContents | null> {
  const match = URI.exec(uri);
  if (!match || !hasProcedure(request.router, "dashboards.get")) return null;
  const [, orgSlug, projectSlug, slug] = match as unknown as [string, string, string, string];
  try {
    const org = await tokenOrg(request);
    if (!org || org.slug !== orgSlug) return null;
    const projectId = await projectIdBySlug(request, org.id, projectSlug, slug);
    if (!projectId) return null;
    const dashboard = (await callProcedure(request, "dashboards.get", { orgId: org.id, projectId, slug })) as {
      yaml: string;
      version: number;
      deletedAt?: unknown;
    };
    if (dashboard.deletedAt) return null;
    return { uri, mimeType: RESOURCE_MIME, text: dashboard.yaml, _meta: { version: dashboard.version } };
  } catch (err) {
    if (err instanceof TRPCError && ["NOT_FOUND", "FORBIDDEN", "UNPROCESSABLE_CONTENT", "BAD_REQUEST"].includes(err.code)) return null;
    throw err;
  }
}
