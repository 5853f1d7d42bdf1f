/**
 * What the dashboards' REST operations answer (`GET …/dashboards`, `GET …/dashboards/{slug}`,
 * `POST …/dashboards/{slug}/run` under /api/v1), as zod schemas: the OpenAPI document is
 * generated from them. Objects are loose, so a field added to an answer later still travels
 * (the document then under-describes it rather than the API dropping it); the casts keep the
 * procedures' TypeScript answers as the service declares them.
 */
import { z } from "zod";
import type { RunOutput } from "./run";
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
