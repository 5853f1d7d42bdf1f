/**
 * What the dashboards' REST operations answer (`GET …/dashboards`, `GET …/dashboards/{slug}`,
 * `POST …/dashboards/{slug}/run` under /api/v1), as zod schemas: the OpenAPI document is
 * generated from them. Objects are loose, so a field added to an answer later still travels
 * (the document then under-describes it rather than the API dropping it); the casts keep the
 * procedures' TypeScript answers as the service declares them.
 */
import { z } from "zod";
import type { RunOutput } from "./run";
import type { BoardSource, BoardSourcesView } from "./board-sources";
import type { SpecError } from "./document/errors";
import type { DashboardDetail, DashboardSummary } from "./service";

const person = z.object({ name: z.string(), email: z.string() }).nullable().describe("Who saved the current version");

const summaryFields = {
  id: z.uuid(),
  slug: z.string().describe("The dashboard's address in its project"),
  title: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  version: z.number().int().describe("Increases with every save; pass it back to update"),
  updatedAt: z.string().describe("ISO 8601 time of the last save"),
  updatedBy: person,
  deletedAt: z.string().nullable().describe("Set when the dashboard is deleted (it can be restored)"),
};

export const dashboardListOutput = z
  .looseObject({ items: z.array(z.looseObject(summaryFields)), nextCursor: z.string().nullable().describe("Pass it as cursor for the next page; null on the last") })
  .meta({ id: "DashboardList" }) as unknown as z.ZodType<{ items: DashboardSummary[]; nextCursor: string | null }>;

export const dashboardDetailOutput = z
  .looseObject({
    ...summaryFields,
    yaml: z.string().describe("The dashboard document (YAML)"),
    format: z.enum(["atrium", "dbt-charts"]),
    document: z.unknown().optional().describe("For a dbt Charts board: the board as Atrium reads it"),
  })
  .meta({ id: "Dashboard" }) as unknown as z.ZodType<DashboardDetail>;

const column = z.looseObject({ name: z.string(), type: z.string() });

const queryResult = z
  .union([
    z.looseObject({
      ok: z.literal(true),
      columns: z.array(column),
      rows: z.array(z.record(z.string(), z.unknown())).describe("One object per row, keyed by column name (capped)"),
      truncated: z.boolean().describe("True when the row cap cut the result"),
      ms: z.number(),
      cached: z.boolean(),
      ranAt: z.string(),
    }),
    z.looseObject({ ok: z.literal(false), error: z.looseObject({ code: z.string(), message: z.string(), line: z.number().int().optional() }) }),
  ])
  .meta({ id: "QueryResult" });

export const dashboardRunOutput = z
  .looseObject({
    ranAt: z.string(),
    variables: z.record(z.string(), z.unknown()).describe("The values the queries ran with (defaults resolved)"),
    variableOptions: z.record(z.string(), z.array(z.looseObject({ value: z.unknown(), label: z.string() }))),
    results: z.record(z.string(), queryResult).describe("By query id"),
  })
  .meta({ id: "DashboardRun" }) as unknown as z.ZodType<RunOutput>;

export const dashboardSearchOutput = z
  .looseObject({
    items: z.array(
      z.looseObject({
        ...summaryFields,
        projectId: z.uuid(),
        projectSlug: z.string(),
        projectName: z.string(),
      }),
    ),
  })
  .meta({ id: "DashboardSearch" }) as unknown as z.ZodType<{ items: Array<DashboardSummary & { projectId: string; projectSlug: string; projectName: string }> }>;

const specError = z
  .looseObject({
    code: z.string(),
    path: z.string().describe("Dotted path into the document (charts.0.type)"),
    message: z.string(),
    hint: z.string().describe("How to fix it"),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
  })
  .meta({ id: "DocumentError" });

export const validationOutput = z
  .looseObject({ ok: z.boolean(), errors: z.array(specError), notices: z.array(specError).optional().describe("dbt Charts: keys kept in the board that Atrium does not draw") })
  .meta({ id: "DashboardValidation" }) as unknown as z.ZodType<{ ok: boolean; errors: SpecError[]; notices?: SpecError[] }>;

/** What a save answers: where the dashboard is and the version it now has. */
export const savedOutput = z.object({ slug: z.string(), version: z.number().int() }).meta({ id: "DashboardSaved" });
export const deletedOutput = z.object({ slug: z.string(), deletedAt: z.string().describe("ISO 8601 time it was deleted") });
export const restoredOutput = z.object({ slug: z.string() });

export const historyOutput = z.object({
  versions: z.array(
    z.looseObject({
      version: z.number().int(),
      createdAt: z.string(),
      author: z.looseObject({ id: z.uuid(), name: z.string(), email: z.string() }).nullable(),
      message: z.string(),
    }),
  ),
  nextCursor: z.string().nullable().describe("Pass back as cursor for the next, older page; null on the page with the first version"),
});

export const versionOutput = z.looseObject({ version: z.number().int(), yaml: z.string(), createdAt: z.string() }).meta({ id: "DashboardVersion" }) as unknown as z.ZodType<{
  version: number;
  yaml: string;
  createdAt: string;
}>;

export const chartSvgOutput = z.object({ chartId: z.string(), title: z.string(), svg: z.string().describe("The chart as an SVG document") }).meta({ id: "ChartSvg" });

const boardSource = z
  .looseObject({
    name: z.string().describe("The source name as dbt Charts boards write it"),
    sourceId: z.string().nullable().describe("The data source it maps to; null when unmapped"),
    sourceName: z.string().nullable(),
    mapped: z.boolean().describe("Whether the project mapped it (it can be unmapped)"),
    boards: z.array(z.looseObject({ slug: z.string(), title: z.string() })),
  })
  .meta({ id: "BoardSource" });

export const boardSourcesOutput = z
  .looseObject({ items: z.array(boardSource), sources: z.array(z.looseObject({ id: z.string(), name: z.string(), label: z.string() })) })
  .meta({ id: "BoardSources" }) as unknown as z.ZodType<BoardSourcesView>;
export const boardSourceOutput = boardSource as unknown as z.ZodType<BoardSource>;
export const boardSourceRemovedOutput = z.object({ name: z.string(), removed: z.boolean() });
