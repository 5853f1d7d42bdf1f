/**
 * Dashboards as MCP resources: `atrium://<org>/<project>/dashboards/<slug>`, the YAML document.
 * Listed and read through the procedures (projects.list, dashboards.list, dashboards.get), so a
 * token sees exactly the dashboards its person may see in its org, and nothing else.
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

async function tokenOrg(request: AgentRequest): Promise<{ id: string; slug: string } | null> {
  const orgs = (await callProcedure(request, "orgs.list", {})) as Array<{ id: string; slug: string }>;
  return orgs.find((o) => o.id === request.actor.orgId) ?? null;
}

interface DashboardSummary {
  slug: string;
  title: string;
  description?: string | null;
  updatedAt?: string | Date | null;
}

export async function dashboardResources(request: AgentRequest): Promise<Resource[]> {
  if (!hasProcedure(request.router, "dashboards.list")) return [];
  const org = await tokenOrg(request);
  if (!org) return [];
  const projects = (await callProcedure(request, "projects.list", { orgId: org.id }).catch(() => [])) as Array<{ id: string; slug: string; name: string }>;
  const resources: Resource[] = [];
  for (const project of projects) {
    if (resources.length >= MAX_LISTED) break;
    const list = (await callProcedure(request, "dashboards.list", { orgId: org.id, projectId: project.id }).catch(() => ({ items: [] }))) as { items: DashboardSummary[] };
    for (const d of list.items) {
      if (resources.length >= MAX_LISTED) break;
      resources.push({
        uri: dashboardUri(org.slug, project.slug, d.slug),
        name: `${project.slug}/${d.slug}`,
        title: `${d.title} (${project.name})`,
        description: d.description || undefined,
        mimeType: RESOURCE_MIME,
      });
    }
  }
  return resources;
}

/** The dashboard's YAML, or null when it does not exist or the caller may not see it (same answer). */
export async function readDashboardResource(request: AgentRequest, uri: string): Promise<TextResourceContents | null> {
  const match = URI.exec(uri);
  if (!match || !hasProcedure(request.router, "dashboards.get")) return null;
  const [, orgSlug, projectSlug, slug] = match as unknown as [string, string, string, string];
  try {
    const org = await tokenOrg(request);
    if (!org || org.slug !== orgSlug) return null;
    const project = (await callProcedure(request, "projects.bySlug", { orgId: org.id, slug: projectSlug })) as { id: string };
    const dashboard = (await callProcedure(request, "dashboards.get", { orgId: org.id, projectId: project.id, slug })) as {
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
