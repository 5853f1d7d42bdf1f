/**
 * What the data REST operations answer (data sources, their tables, ad-hoc queries, the
 * warehouse's imports and sample under /api/v1/orgs/{orgId}/…), as zod schemas for the OpenAPI
 * document. A source's credentials are write-only: no schema here has a field for them (a
 * source says only whether a password is stored). Objects are loose, so a field added later
 * still travels; the casts keep the procedures' answers as the service declares them.
 */
import { z } from "zod";
import type { TableInfo } from "./connectors";
import type { ImportResult } from "./import";
import type { SampleResult } from "./sample";
import type { DataSourceView, QueryResponse, TestResult } from "./service";

const isoTime = (what: string) => z.string().nullable().describe(`ISO 8601 time ${what}`);

const source = z
  .looseObject({
    id: z.string().describe('"warehouse" for the built-in warehouse, else the source\'s id'),
    name: z.string(),
    type: z.string(),
    label: z.string().describe('The connector\'s name: "PostgreSQL", "Warehouse"'),
    builtIn: z.boolean().describe("The organization's warehouse: always there, cannot be changed or deleted"),
    config: z.record(z.string(), z.unknown()).describe("The connection settings without any secret"),
    hasPassword: z.boolean().describe("Whether a password is stored (never returned)"),
    provisioned: z.boolean(),
    createdAt: isoTime("the source was added"),
    updatedAt: isoTime("of the last change"),
  })
  .meta({ id: "DataSource" });

export const sourceOutput = source as unknown as z.ZodType<DataSourceView>;
export const sourceListOutput = z.array(source) as unknown as z.ZodType<DataSourceView[]>;

export const testOutput = z
  .looseObject({
    ok: z.boolean(),
    message: z.string().describe('What went wrong, or "Connected"'),
    field: z.string().nullable().describe("The config field at fault (config.password…), when known"),
    elapsedMs: z.number(),
  })
  .meta({ id: "ConnectionTest" }) as unknown as z.ZodType<TestResult>;

export const sourceDeletedOutput = z.object({ deleted: z.literal(true), id: z.uuid() });

export const tablesOutput = z
  .looseObject({
    sourceId: z.string(),
    tables: z.array(
      z.looseObject({
        schema: z.string(),
        name: z.string(),
        kind: z.enum(["table", "view", "materialized view", "foreign table"]),
        rowEstimate: z.number().nullable(),
        columns: z.array(z.looseObject({ name: z.string(), type: z.string(), nullable: z.boolean() })),
      }),
    ),
  })
  .meta({ id: "Tables" }) as unknown as z.ZodType<{ sourceId: string; tables: TableInfo[] }>;

export const queryOutput = z
  .looseObject({
    columns: z.array(z.looseObject({ name: z.string(), type: z.string().describe("PostgreSQL type name: int4, text, timestamptz…") })),
    // Each row is an array aligned with columns; not checked cell by cell (a result may be large).
    rows: z.array(z.unknown()).describe("Rows, each an array of values aligned with columns"),
    rowCount: z.number().int(),
    truncated: z.boolean(),
    truncatedReason: z.enum(["rows", "bytes"]).nullable(),
    elapsedMs: z.number(),
    cached: z.boolean(),
    cachedAt: isoTime("the cached result was computed"),
  })
  .meta({ id: "AdHocQueryResult" }) as unknown as z.ZodType<QueryResponse>;

export const importOutput = z
  .looseObject({
    importId: z.string(),
    table: z.string(),
    mode: z.enum(["replace", "append"]),
    created: z.boolean(),
    rowsImported: z.number().int(),
    rowsRejected: z.number().int(),
    errors: z.array(z.looseObject({ line: z.number().int(), message: z.string() })).describe("The first bad rows, by line (the header is line 1)"),
    columns: z.array(z.looseObject({ name: z.string(), sourceName: z.string(), type: z.string() })),
    bytes: z.number().int(),
    elapsedMs: z.number(),
  })
  .meta({ id: "CsvImport" }) as unknown as z.ZodType<ImportResult>;

export const sampleOutput = z
  .looseObject({ schema: z.string(), tables: z.array(z.looseObject({ name: z.string(), rows: z.number().int() })), totalRows: z.number().int(), elapsedMs: z.number() })
  .meta({ id: "SampleData" }) as unknown as z.ZodType<SampleResult>;
