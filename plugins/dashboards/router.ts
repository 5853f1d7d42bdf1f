/**
 * `dashboards.*`: dashboards as YAML documents with versions, running their queries, the chart
 * builder's preview and compile, server-side chart SVGs, and org-wide search. Every procedure
 * names its capability; the agent-facing ones carry MCP metadata written for a model.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, grantableOrgProcedure, grantableProjectProcedure, projectCapabilityProcedure, reachCondition, type RequestContext } from "~/kernel/trpc";
import { fieldError } from "~/kernel/errors";
import { datasourceView, queryRun } from "../data/engine";
import { dashboardDelete, dashboardEdit, dashboardView } from "./capabilities";
import { BOARD_FORMATS, type BoardFormat, type Dashboard } from "./document";
import { variableSchema, visualQuerySchema } from "./document/schema";
import { dashboardDetailOutput, dashboardListOutput, dashboardRunOutput, dashboardSearchOutput, deletedOutput, historyOutput, restoredOutput, savedOutput, validationOutput, versionOutput, chartSvgOutput, boardSourcesOutput, boardSourceOutput, boardSourceRemovedOutput } from "./rest";
import { compileOnly, previewQuery, runDashboard, type RunScope } from "./run";
import { listBoardSources, mapBoardSource, unmapBoardSource } from "./board-sources";
import { BOARD_SOURCE_NAME } from "./document";
import {
  MAX_YAML_LENGTH,
  boardSourceMapping,
  createDashboard,
  deleteDashboard,
  duplicateDashboard,
  findDashboard,
  getDashboard,
  getVersion,
  listDashboards,
  LIST_PAGE_MAX,
  listTags,
  listVersions,
  HISTORY_PAGE_MAX,
  parseOrThrow,
  restoreDashboard,
  restoreVersion,
  searchOrg,
  updateDashboard,
  validateYaml,
  type DashboardScope,
} from "./service";
import { safeString, safeUnknown } from "~/kernel/schemas";

const slug = safeString().trim().min(1, "Name the dashboard (its slug)").max(200, "At most 200 characters");
const yaml = safeString().max(MAX_YAML_LENGTH, `At most ${MAX_YAML_LENGTH} characters`);
const version = z.number().int().min(1, "Versions start at 1").max(2_147_483_647, "No such version");
const boardSourceName = safeString()
  .trim()
  .min(1, "Name the board source")
  .max(100, "At most 100 characters")
  .regex(BOARD_SOURCE_NAME, "Use letters, digits, _, . and -, as in dbt_charts.yml's sources");
const variableValues = z.record(safeString().max(63), safeUnknown()).refine((v) => Object.keys(v).length <= 50, "At most 50 variables");

/** Reachable through a share of this dashboard (by its slug) or of the whole project (the sharing plugin keeps them). */
const sharedDashboard = { resource: "dashboard", key: "slug" } as const;
/** Reachable through a share of the whole project. */
const sharedProject = { resource: "project" } as const;

type ProjectCtx = RequestContext & { actor: { userId: string }; org: { id: string }; project: { id: string; role: string } };

function scopeOf(ctx: ProjectCtx): DashboardScope {
  return { kernel: ctx.kernel, db: ctx.db, orgId: ctx.org.id, projectId: ctx.project.id, userId: ctx.actor.userId };
}

function runScopeOf(ctx: RequestContext & { org: { id: string } }, signal: AbortSignal | undefined): RunScope {
  return { kernel: ctx.kernel, db: ctx.db, orgId: ctx.org.id, signal: signal ?? ctx.signal };
}

/** Parsed documents by dashboard id, version (and a board's source mapping): a version's YAML never changes, so neither does its parse. */
const parsedVersions = new Map<string, Dashboard>();

/**
 * The saved document, parsed (a document saved under an older, laxer parser is a 422, not a 500).
 * A dbt Charts board's source names map through the project's mapping, so it runs on the mapped source.
 */
async function storedDocument(s: DashboardScope, row: { id: string; version: number; yaml: string; format: BoardFormat }): Promise<Dashboard> {
  const sources = row.format === "dbt-charts" ? await boardSourceMapping(s) : undefined;
  const key = `${row.id}:${row.version}${sources ? `:${JSON.stringify(sources)}` : ""}`;
  let doc = parsedVersions.get(key);
  if (!doc) {
    doc = parseOrThrow(row.yaml, row.format, sources);
    parsedVersions.set(key, doc);
    if (parsedVersions.size > 500) parsedVersions.delete(parsedVersions.keys().next().value!);
  }
  return doc;
}

/** Where an org-wide read finds a dashboard's project and id, for the caller's reach (`reachCondition`). */
const DASHBOARD_COLUMNS = { projectId: "d.project_id", id: "d.id" };

/** The most dashboards `recent` answers at once (an MCP client's resource list). */
const RECENT_MAX = 500;

export const dashboardsRouter = createTRPCRouter({
  list: grantableProjectProcedure(sharedProject, dashboardView)
    .meta({
      mcp: {
        name: "list_dashboards",
        description:
          "List the dashboards of one project (orgId + projectId), most recently changed first: slug, title, description, tags, version, who changed it last. Filter with search (matches title, slug, description, tags) or tag; deleted: true lists deleted ones instead (they can be restored). One page at a time (limit, default 100, at most 200): pass nextCursor back as cursor for the next page; null means the last. Use a slug with get_dashboard to read one.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards", summary: "List a project's dashboards, a page at a time (pass nextCursor back as cursor)", tags: ["dashboards"] } })
    .input(
      z.object({
        search: safeString().max(200).optional(),
        tag: safeString().max(40).optional(),
        deleted: z.boolean().optional(),
        limit: z.number().int().min(1).max(LIST_PAGE_MAX).default(100),
        cursor: safeString().max(200).optional(),
      }),
    )
    .output(dashboardListOutput)
    .query(({ ctx, input }) => listDashboards(scopeOf(ctx), input)),

  search: grantableOrgProcedure(dashboardView)
    .meta({
      mcp: {
        name: "search_dashboards",
        description:
          "Find dashboards across every project of the organization you can see (and dashboards shared with you there), by words in their title, slug, description or tags. Pass orgId and query (optionally projectId to stay in one project). Each item names its project (projectId, projectSlug, projectName): pass projectId and slug to get_dashboard to read it.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/dashboards/search", summary: "Find dashboards across the organization's projects (and those shared with the caller) by words in title, slug, description or tags", tags: ["dashboards"] },
    })
    .input(z.object({ query: safeString().trim().min(1, "Say what to look for").max(200), projectId: z.uuid().optional(), limit: z.number().int().min(1).max(100).default(50) }))
    .output(dashboardSearchOutput)
    // Archived projects stay out of an org-wide search, as they do of the project list; a search
    // that stays in one project finds its dashboards even when it is archived.
    .query(async ({ ctx, input }) => ({
      items: await searchOrg(ctx, reachCondition(ctx, dashboardView, "dashboard", DASHBOARD_COLUMNS), {
        orgId: ctx.org.id,
        query: input.query,
        projectId: input.projectId,
        limit: input.limit,
        includeArchived: input.projectId !== undefined,
      }),
    })),

  // The org home's recent list, and the dashboards an MCP client lists as resources (up to 500):
  // archived projects' dashboards left out.
  recent: grantableOrgProcedure(dashboardView)
    .input(z.object({ limit: z.number().int().min(1).max(RECENT_MAX).default(10) }))
    .query(async ({ ctx, input }) => ({
      items: await searchOrg(ctx, reachCondition(ctx, dashboardView, "dashboard", DASHBOARD_COLUMNS), { orgId: ctx.org.id, limit: input.limit, includeArchived: false }),
    })),

  tags: grantableProjectProcedure(sharedProject, dashboardView).query(async ({ ctx }) => ({ tags: await listTags(scopeOf(ctx)) })),

  get: grantableProjectProcedure(sharedDashboard, dashboardView)
    .meta({
      mcp: {
        name: "get_dashboard",
        description:
          "Read one dashboard (orgId, projectId, slug): its YAML document (title, variables, queries with SQL or visual specs, charts, layout), its format and its version. Keep the version: update_dashboard needs it. format is atrium (Atrium's document) or dbt-charts (a dbt Charts board, kept in that format: edit and save it as dbt Charts YAML; document then holds it as Atrium reads it). deletedAt is set when the dashboard is deleted.",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}", summary: "Read a dashboard: its document, format and version", tags: ["dashboards"] } })
    .input(z.object({ slug }))
    .output(dashboardDetailOutput)
    .query(({ ctx, input }) => getDashboard(scopeOf(ctx), input.slug)),

  validate: projectCapabilityProcedure(dashboardView)
    .meta({
      mcp: {
        name: "validate_dashboard",
        description:
          "Check a dashboard YAML document without saving it. Returns ok and errors, each with a code, a dotted path (charts.0.type), a message, a hint saying how to fix it, and the line and column in the YAML. Validate before create_dashboard or update_dashboard. format: dbt-charts checks a dbt Charts board (also listing notices: keys kept in the board that Atrium does not draw).",
        readOnly: true,
      },
    })
    .meta({ openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/validate", summary: "Check a dashboard document without saving it: errors with path, hint, line and column", tags: ["dashboards"] } })
    .input(z.object({ yaml, format: z.enum(BOARD_FORMATS).default("atrium") }))
    .output(validationOutput)
    .query(({ input }) => validateYaml(input.yaml, input.format)),

  create: projectCapabilityProcedure(dashboardEdit)
    .meta({
      mcp: {
        name: "create_dashboard",
        description:
          "Create a dashboard in a project from its YAML document (orgId, projectId, yaml; slug optional: derived from the title and made unique when absent; format: dbt-charts to store a dbt Charts board as written). An invalid document saves nothing and answers 422 with each error under fieldErrors yaml.<path>. Returns the slug and version 1.",
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards", summary: "Create a dashboard from its YAML document (422 with errors under yaml.<path> saves nothing); answers its slug and version 1", tags: ["dashboards"] },
    })
    .input(
      z.object({
        yaml,
        slug: safeString().trim().toLowerCase().max(64, "At most 64 characters").optional(),
        message: safeString().max(500).optional(),
        format: z.enum(BOARD_FORMATS).optional(),
      }),
    )
    .output(savedOutput)
    .mutation(async ({ ctx, input }) => {
      const created = await createDashboard(scopeOf(ctx), input);
      await ctx.audit({ action: "dashboards.create", target: { type: "dashboard", id: created.id }, data: { projectId: ctx.project.id, slug: created.slug, title: created.title } });
      return { slug: created.slug, version: created.version };
    }),

  update: grantableProjectProcedure(sharedDashboard, dashboardEdit)
    .meta({
      mcp: {
        name: "update_dashboard",
        description:
          "Save a new version of a dashboard: pass orgId, projectId, slug, the whole new YAML, and the version you read with get_dashboard (message optional, like a commit message). If someone saved in between you get a 409 conflict naming the current version: call get_dashboard again, reapply your change to the new YAML and retry. An invalid document saves nothing (422 with errors under yaml.<path>).",
        idempotent: false,
      },
      openapi: { method: "PUT", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}", summary: "Save a new version: the whole YAML and the version you read (409 naming the current one if someone saved in between)", tags: ["dashboards"] },
    })
    .input(z.object({ slug, yaml, version, message: safeString().max(500).optional() }))
    .output(savedOutput)
    .mutation(async ({ ctx, input }) => {
      const updated = await updateDashboard(scopeOf(ctx), input);
      await ctx.audit({ action: "dashboards.update", target: { type: "dashboard", id: updated.id }, data: { projectId: ctx.project.id, slug: updated.slug, version: updated.version } });
      return { slug: updated.slug, version: updated.version };
    }),

  delete: projectCapabilityProcedure(dashboardDelete)
    .meta({
      mcp: {
        name: "delete_dashboard",
        description:
          "Delete a dashboard (orgId, projectId, slug). It disappears from lists and views; people with the delete capability can restore it from the deleted list, with its history.",
        destructive: true,
        idempotent: false,
      },
      openapi: { method: "DELETE", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}", summary: "Delete a dashboard (it can be restored, with its history)", tags: ["dashboards"] },
    })
    .input(z.object({ slug }))
    .output(deletedOutput)
    .mutation(async ({ ctx, input }) => {
      const deleted = await deleteDashboard(scopeOf(ctx), input.slug);
      await ctx.audit({ action: "dashboards.delete", target: { type: "dashboard", id: deleted.id }, data: { projectId: ctx.project.id, slug: deleted.slug, title: deleted.title } });
      return { slug: deleted.slug, deletedAt: deleted.deletedAt };
    }),

  restore: projectCapabilityProcedure(dashboardDelete)
    .meta({
      mcp: {
        name: "restore_dashboard",
        description:
          "Bring back a deleted dashboard (orgId, projectId, slug), with its whole history. Find deleted dashboards with list_dashboards and deleted: true. If another live dashboard took the slug meanwhile, the answer is 409.",
        idempotent: false,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/restore", summary: "Bring back a deleted dashboard with its history (409 if another took its slug)", tags: ["dashboards"] },
    })
    .input(z.object({ slug }))
    .output(restoredOutput)
    .mutation(async ({ ctx, input }) => {
      const restored = await restoreDashboard(scopeOf(ctx), input.slug);
      await ctx.audit({ action: "dashboards.restore", target: { type: "dashboard", id: restored.id }, data: { projectId: ctx.project.id, slug: restored.slug } });
      return { slug: restored.slug };
    }),

  duplicate: projectCapabilityProcedure(dashboardEdit)
    .meta({
      mcp: {
        name: "duplicate_dashboard",
        description:
          "Copy a dashboard into a new one in the same project (orgId, projectId, slug; newSlug and title optional: the title defaults to the original's with \" (copy)\", the slug is derived from it and made unique). The copy starts at version 1. Returns its slug.",
        idempotent: false,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/duplicate", summary: "Copy a dashboard into a new one in the same project (version 1)", tags: ["dashboards"] },
    })
    .output(savedOutput)
    .input(z.object({ slug, newSlug: safeString().trim().toLowerCase().max(64, "At most 64 characters").optional(), title: safeString().trim().min(1).max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const copy = await duplicateDashboard(scopeOf(ctx), input);
      await ctx.audit({ action: "dashboards.duplicate", target: { type: "dashboard", id: copy.id }, data: { projectId: ctx.project.id, from: input.slug, slug: copy.slug } });
      return { slug: copy.slug, version: copy.version };
    }),

  history: grantableProjectProcedure(sharedDashboard, dashboardView)
    .meta({
      mcp: {
        name: "dashboard_history",
        description:
          "List the saved versions of a dashboard (orgId, projectId, slug), newest first: version number, who saved it, when, and the message. One page at a time (limit, default 50, at most 200): pass nextCursor back as cursor for older versions; null means the first version is on this page. Read one with get_dashboard_version; bring one back with restore_dashboard_version.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/versions", summary: "List a dashboard's saved versions, newest first, a page at a time (pass nextCursor back as cursor)", tags: ["dashboards"] },
    })
    .input(z.object({ slug, limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).default(50), cursor: safeString().max(20).optional() }))
    .output(historyOutput)
    .query(({ ctx, input }) => listVersions(scopeOf(ctx), input.slug, input)),

  version: grantableProjectProcedure(sharedDashboard, dashboardView)
    .meta({
      mcp: {
        name: "get_dashboard_version",
        description: "Read one past version of a dashboard (orgId, projectId, slug, version): its YAML document as it was saved then, and when.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/versions/{version}", summary: "Read one past version of a dashboard: its YAML as saved then", tags: ["dashboards"] },
    })
    .input(z.object({ slug, version }))
    .output(versionOutput)
    .query(({ ctx, input }) => getVersion(scopeOf(ctx), input.slug, input.version)),

  restoreVersion: grantableProjectProcedure(sharedDashboard, dashboardEdit)
    .meta({
      mcp: {
        name: "restore_dashboard_version",
        description:
          "Make a past version the current one by saving it as a new version (orgId, projectId, slug, version to restore, currentVersion: the version you read last, as for update_dashboard). History is kept; a save in between answers 409 naming the current version.",
        idempotent: false,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/versions/{version}/restore", summary: "Make a past version current by saving it as a new one (currentVersion: the version you read last; 409 if it moved)", tags: ["dashboards"] },
    })
    .input(z.object({ slug, version, currentVersion: version }))
    .output(savedOutput)
    .mutation(async ({ ctx, input }) => {
      const saved = await restoreVersion(scopeOf(ctx), input);
      await ctx.audit({
        action: "dashboards.restoreVersion",
        target: { type: "dashboard", id: saved.id },
        data: { projectId: ctx.project.id, slug: saved.slug, restored: input.version, version: saved.version },
      });
      return { slug: saved.slug, version: saved.version };
    }),

  run: grantableProjectProcedure(sharedDashboard, dashboardView)
    .meta({ cost: "expensive" })
    .meta({
      mcp: {
        name: "run_dashboard",
        description:
          "Run a dashboard's queries and return their results (orgId, projectId, slug; variables optional, as { name: value }; queries optional: the query ids to run, all by default). Each result is ok with columns and rows (capped), or an error with a message. refresh: true skips the cache.",
        readOnly: true,
      },
    })
    .input(
      z.object({
        slug,
        variables: variableValues.optional(),
        refresh: z.boolean().default(false),
        queries: z.array(safeString().max(63)).max(200).optional(),
      }),
    )
    .meta({
      openapi: {
        method: "POST",
        path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/run",
        summary: "Run a dashboard's queries and return their results",
        description: "Variables as { name: value }; queries: the query ids to run (all the charts' by default); refresh: true skips the cache.",
        tags: ["dashboards"],
      },
    })
    .output(dashboardRunOutput)
    .query(async ({ ctx, input, signal }) => {
      const scope = scopeOf(ctx);
      const row = await findDashboard(scope, input.slug);
      return runDashboard(runScopeOf(ctx, signal), await storedDocument(scope, row), input);
    }),

  // Previewing runs SQL the caller typed: the data plugin's rule for ad-hoc SQL applies too.
  preview: projectCapabilityProcedure(dashboardEdit, queryRun)
    .meta({ cost: "expensive" })
    .input(
      z.object({
        source: safeString().max(100).optional(),
        sql: safeString().max(100_000).optional(),
        visual: visualQuerySchema.optional(),
        variables: z.array(variableSchema).max(50).optional(),
        values: variableValues.optional(),
        refresh: z.boolean().default(false),
      }),
    )
    .query(async ({ ctx, input, signal }) => {
      if (!input.sql?.trim() && !input.visual) {
        throw fieldError("UNPROCESSABLE_CONTENT", "sql", "Write a query (or give a visual one)");
      }
      return previewQuery(runScopeOf(ctx, signal), input);
    }),

  compile: projectCapabilityProcedure(dashboardEdit)
    .meta({ cost: "expensive" })
    .input(z.object({ visual: visualQuerySchema, source: safeString().max(100).optional() }))
    .query(async ({ ctx, input, signal }) => compileOnly(runScopeOf(ctx, signal), input)),

  renderChart: grantableProjectProcedure(sharedDashboard, dashboardView)
    .meta({ cost: "expensive" })
    .meta({
      mcp: {
        name: "render_chart",
        description:
          "Render one chart of a dashboard as an SVG image (orgId, projectId, slug, chartId; variables optional, as { name: value }). The chart's query runs with the dashboard's variable defaults unless you pass values. Use it to look at what a chart shows after changing it.",
        readOnly: true,
      },
      // POST: variables travel as an object in the body.
      openapi: { method: "POST", path: "/orgs/{orgId}/projects/{projectId}/dashboards/{slug}/charts/{chartId}/svg", summary: "Render one chart as SVG (its query runs with the variables given, else the defaults; expensive: the organization's budget)", tags: ["dashboards"] },
    })
    .output(chartSvgOutput)
    .input(
      z.object({
        slug,
        chartId: safeString().max(63),
        variables: variableValues.optional(),
        width: z.number().int().min(100).max(2000).optional(),
        height: z.number().int().min(80).max(2000).optional(),
        theme: z.enum(["light", "dark"]).optional(),
      }),
    )
    .query(async ({ ctx, input, signal }) => {
      const scope = scopeOf(ctx);
      const row = await findDashboard(scope, input.slug);
      const doc = await storedDocument(scope, row);
      const chart = (doc.charts ?? []).find((c) => c.id === input.chartId);
      if (!chart) {
        const ids = (doc.charts ?? []).map((c) => c.id);
        throw new TRPCError({ code: "NOT_FOUND", message: `Dashboard "${input.slug}" has no chart "${input.chartId}"${ids.length ? `; its charts: ${ids.join(", ")}` : ""}.` });
      }
      const title = chart.title ?? chart.id;
      let data: { columns: { name: string; type: string }[]; rows: Record<string, unknown>[] } = { columns: [], rows: [] };
      if ("query" in chart && chart.query) {
        const run = await runDashboard(runScopeOf(ctx, signal), doc, { variables: input.variables, queries: [chart.query] });
        const result = run.results[chart.query]!;
        if (!result.ok) {
          throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `The chart's query "${chart.query}" failed: ${result.error.message}` });
        }
        data = { columns: result.columns, rows: result.rows };
      }
      // vega and vega-lite load with the first chart drawn here, not with every server start.
      const { renderChartSvg } = await import("./document/svg");
      const svg = await renderChartSvg(chart, data, { width: input.width, height: input.height, theme: input.theme });
      return { chartId: chart.id, title, svg };
    }),

  boardSources: projectCapabilityProcedure(dashboardView, datasourceView)
    .meta({
      mcp: {
        name: "list_board_sources",
        description:
          "List a project's dbt Charts source names (orgId, projectId): every name its dbt Charts boards read from (their source:) or that the project mapped, with the Atrium data source it maps to (sourceId, sourceName; null when unmapped: that board's queries cannot run until it is mapped) and the boards using it. sources lists the organization's data sources a name can map to. Map one with map_board_source.",
        readOnly: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/projects/{projectId}/board-sources", summary: "List the project's dbt Charts source names and the data source each maps to (null: unmapped)", tags: ["dashboards"] },
    })
    .output(boardSourcesOutput)
    .query(({ ctx }) => listBoardSources(scopeOf(ctx))),

  mapBoardSource: projectCapabilityProcedure(dashboardEdit, datasourceView)
    .meta({
      mcp: {
        name: "map_board_source",
        description:
          "Map a dbt Charts source name to one of the organization's data sources for this project (orgId, projectId, name: the board's source name such as warehouse or analytics, sourceId: a data source id from list_board_sources or list_data_sources). Every dbt Charts board of the project that reads from that name then runs its queries on that source. Mapping a name again replaces its source.",
        idempotent: true,
      },
      openapi: { method: "PUT", path: "/orgs/{orgId}/projects/{projectId}/board-sources/{name}", summary: "Map a dbt Charts source name to one of the organization's data sources (mapping again replaces it)", tags: ["dashboards"] },
    })
    .output(boardSourceOutput)
    .input(z.object({ name: boardSourceName, sourceId: safeString().trim().min(1, "Pick a data source").max(100) }))
    .mutation(async ({ ctx, input }) => {
      const mapped = await mapBoardSource(scopeOf(ctx), input);
      await ctx.audit({ action: "dashboards.mapBoardSource", target: { type: "project", id: ctx.project.id }, data: { name: input.name, sourceId: input.sourceId } });
      return mapped;
    }),

  unmapBoardSource: projectCapabilityProcedure(dashboardEdit)
    .meta({
      mcp: {
        name: "unmap_board_source",
        description:
          "Remove a project's mapping of a dbt Charts source name (orgId, projectId, name). Boards reading from that name show it as unmapped again (the name warehouse falls back to the built-in warehouse). removed is false when the name was not mapped.",
        destructive: true,
        idempotent: true,
      },
      openapi: { method: "DELETE", path: "/orgs/{orgId}/projects/{projectId}/board-sources/{name}", summary: "Remove the project's mapping of a dbt Charts source name (removed: false when it was not mapped)", tags: ["dashboards"] },
    })
    .output(boardSourceRemovedOutput)
    .input(z.object({ name: boardSourceName }))
    .mutation(async ({ ctx, input }) => {
      const result = await unmapBoardSource(scopeOf(ctx), input.name);
      if (result.removed) await ctx.audit({ action: "dashboards.unmapBoardSource", target: { type: "project", id: ctx.project.id }, data: { name: input.name } });
      return result;
    }),
});
