/**
 * The setup status of an org, computed from what is true now: its projects, its data sources,
 * the data in them, its dashboards and the newest stored evidence. Nothing is stored as a
 * "setup done" flag, so deleting the only dashboard moves the org back a stage.
 *
 * Reads other plugins only through their public faces (`data/engine`, `dashboards/directory`).
 */
import type { Kysely } from "kysely";
import type { KernelDatabase, Role } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { ROLES } from "~/kernel/capabilities";
import { WAREHOUSE_SOURCE_ID, describeTables, listSources } from "../data/engine";
import { liveDashboards } from "../dashboards/directory";
import type { TaskId } from "./catalog";
import { onboardingDb, type EvidenceRow } from "./tables";

export const STAGES = ["no_project", "no_data_source", "data_source_untested", "no_data", "no_dashboard", "dashboard_not_run", "done"] as const;
export type Stage = (typeof STAGES)[number];

const STAGE_LABELS: Record<Stage, string> = {
  no_project: "Create a project",
  no_data_source: "Add a data source",
  data_source_untested: "Check the connection",
  no_data: "Load data",
  no_dashboard: "Create a dashboard",
  dashboard_not_run: "Run the dashboard",
  done: "Setup complete",
};

export interface NextStep {
  /** What to do, in a sentence. */
  what: string;
  /** Who can do it: the capability, the roles holding it, and whether the caller does. */
  who: { capability: string; roles: Role[]; you: boolean };
  /** Where in the app to do it. */
  link: string;
  /** The MCP tool (and arguments) an agent calls to do it, when there is one. */
  tool: { name: string; arguments: Record<string, unknown> } | null;
}

export interface SetupStatus {
  stage: Stage;
  /** The stages in order, each done or not (every stage before `stage` is done). */
  stages: Array<{ id: Stage; label: string; done: boolean }>;
  /** Set while the stage is `dashboard_not_run`: never run, or the newest run failed. */
  detail: "never_run" | "failing" | null;
  nextStep: NextStep | null;
  facts: {
    projects: number;
    dataSources: number;
    warehouseTables: number | null;
    dashboards: number;
    newestRun: { status: string; observedAt: string } | null;
  };
  computedAt: string;
}

/** The newest evidence of each (task, subject) in the org. */
export async function newestEvidence(db: Kysely<KernelDatabase>, orgId: string, tasks?: readonly TaskId[]): Promise<EvidenceRow[]> {
  let q = onboardingDb(db)
    .selectFrom("onboarding_evidence")
    .selectAll()
    .distinctOn(["task", "subject"])
    .where("org_id", "=", orgId)
    .orderBy("task")
    .orderBy("subject")
    .orderBy("observed_at", "desc");
  if (tasks?.length) q = q.where("task", "in", [...tasks]);
  return q.execute();
}

function rolesWith(kernel: Kernel, capability: string): Role[] {
  return ROLES.filter((r) => kernel.capabilities.allows(r, capability));
}

async function warehouseTableCount(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string): Promise<number | null> {
  try {
    return (await describeTables(kernel, db, orgId, WAREHOUSE_SOURCE_ID)).length;
  } catch {
    // Busy (the org's query slots are taken) or unreachable: fall back to the evidence.
    return null;
  }
}

/** Computes the org's setup status for a member with `role`. `db` is scoped to the org. */
export async function setupStatus(kernel: Kernel, db: Kysely<KernelDatabase>, orgId: string, role: Role): Promise<SetupStatus> {
  const org = await db.selectFrom("orgs").select("slug").where("id", "=", orgId).executeTakeFirstOrThrow();
  const base = `/o/${org.slug}`;
  const projects = await db
    .selectFrom("projects")
    .select(["id", "slug"])
    .where("org_id", "=", orgId)
    .where("deleted_at", "is", null)
    .orderBy("archived_at", (ob) => ob.desc().nullsFirst())
    .orderBy("created_at")
    .execute();
  const sources = await listSources(kernel, db, orgId);
  const warehouse = sources.find((s) => s.id === WAREHOUSE_SOURCE_ID);
  const external = sources.filter((s) => !s.builtIn);
  const warehouseTables = warehouse?.provisioned ? await warehouseTableCount(kernel, db, orgId) : 0;
  const dashboards = await liveDashboards(db, orgId);
  const evidence = await newestEvidence(db, orgId);
  const newest = (task: TaskId, subject: string) => evidence.find((e) => e.task === task && e.subject === subject) ?? null;
  const externalIds = new Set(external.map((s) => s.id));

  const hasSource = !!warehouse?.provisioned || external.length > 0;
  // The warehouse is proven by its provisioning (the data plugin created it and connected to it).
  const tested = !!warehouse?.provisioned || evidence.some((e) => e.task === "connection.verify" && externalIds.has(e.subject) && e.status === "ok");
  const evidenceOfData = evidence.some(
    (e) =>
      (e.task === "schema.introspect" && (externalIds.has(e.subject) || e.subject === WAREHOUSE_SOURCE_ID) && e.status === "ok") ||
      ((e.task === "sample.load" || e.task === "data.import") && e.status !== "fail" && warehouseTables === null),
  );
  const hasData = (warehouseTables ?? 0) > 0 || evidenceOfData;
  const runs = dashboards.map((d) => newest("dashboard.run", d.id)).filter((e): e is EvidenceRow => e !== null);
  const newestRun = runs.sort((a, b) => b.observed_at.getTime() - a.observed_at.getTime())[0] ?? null;
  const ranWell = runs.some((e) => e.status === "ok" || e.status === "warn");

  const stage: Stage =
    projects.length === 0
      ? "no_project"
      : !hasSource
        ? "no_data_source"
        : !tested
          ? "data_source_untested"
          : !hasData
            ? "no_data"
            : dashboards.length === 0
              ? "no_dashboard"
              : !ranWell
                ? "dashboard_not_run"
                : "done";

  const who = (capability: string) => ({ capability, roles: rolesWith(kernel, capability), you: kernel.capabilities.allows(role, capability) });
  const project = projects[0];
  const projectBase = project ? `${base}/p/${project.slug}` : base;
  const start = (task: TaskId, args: Record<string, unknown> = {}) => ({ name: "start_setup_task", arguments: { task, params: args } });
  const untested = external.find((s) => !evidence.some((e) => e.task === "connection.verify" && e.subject === s.id && e.status === "ok"));
  const firstDashboard = dashboards[0];
  const dashboardProject = firstDashboard ? projects.find((p) => p.id === firstDashboard.projectId) : undefined;

  const steps: Record<Stage, NextStep | null> = {
    no_project: { what: "Create a project to hold your dashboards and data.", who: who("project.create"), link: base, tool: null },
    no_data_source: {
      what: "Add data: load the sample data, upload a CSV file or connect a PostgreSQL database.",
      who: who("onboarding.manage"),
      link: `${projectBase}/data`,
      tool: start("sample.load"),
    },
    data_source_untested: {
      what: `Check the connection to ${untested?.name ?? "your data source"}.`,
      who: who("onboarding.manage"),
      link: `${projectBase}/data`,
      tool: start("connection.verify", untested ? { sourceId: untested.id } : {}),
    },
    no_data: { what: "Load data into the warehouse: the sample data or a CSV file.", who: who("onboarding.manage"), link: `${projectBase}/data`, tool: start("sample.load") },
    no_dashboard: { what: "Create a first dashboard from your data.", who: who("onboarding.manage"), link: `${projectBase}/dashboards`, tool: start("dashboard.generate", project ? { projectId: project.id } : {}) },
    dashboard_not_run: {
      what: firstDashboard ? `Run “${firstDashboard.title}” and check that its queries answer.` : "Run your dashboard.",
      who: who("onboarding.manage"),
      link: firstDashboard && dashboardProject ? `${base}/p/${dashboardProject.slug}/d/${firstDashboard.slug}` : projectBase,
      tool: start("dashboard.run", firstDashboard ? { projectId: firstDashboard.projectId, slug: firstDashboard.slug } : {}),
    },
    done: null,
  };

  const index = STAGES.indexOf(stage);
  return {
    stage,
    stages: STAGES.filter((s) => s !== "done").map((id, i) => ({ id, label: STAGE_LABELS[id], done: i < index })),
    detail: stage === "dashboard_not_run" ? (runs.length ? "failing" : "never_run") : null,
    nextStep: steps[stage],
    facts: {
      projects: projects.length,
      dataSources: (warehouse?.provisioned ? 1 : 0) + external.length,
      warehouseTables,
      dashboards: dashboards.length,
      newestRun: newestRun ? { status: newestRun.status, observedAt: newestRun.observed_at.toISOString() } : null,
    },
    computedAt: new Date().toISOString(),
  };
}
