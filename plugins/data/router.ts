/**
 * `data.*`: data sources, schema introspection, the read-only query engine, CSV import and the
 * sample dataset. Every procedure names its capability; the agent-facing ones carry MCP metadata.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { capabilityProcedure, createTRPCRouter, type RequestContext } from "~/kernel/trpc";
import { fieldError } from "~/kernel/errors";
import { datasourceManage, datasourceView, queryRun, warehouseLoad } from "./capabilities";
import "./events";
import { ImportProblem, importCsv, textChunks } from "./import";
import { dataRuntime } from "./runtime";
import { loadSample } from "./sample";
import {
  WAREHOUSE_SOURCE_ID,
  connectorTypes,
  createSource,
  deleteSource,
  describeTables,
  getSource,
  listSources,
  runQuery,
  testSource,
  updateSource,
} from "./service";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { importOutput, queryOutput, sampleOutput, sourceDeletedOutput, sourceListOutput, sourceOutput, tablesOutput, testOutput } from "./rest";

/** Largest CSV the upload procedure takes (characters); DATA's CSV_MAX_BYTES may lower it. */
export const MAX_CSV_UPLOAD = 10_000_000;
export const MAX_SQL_LENGTH = 100_000;
export const MAX_PARAMS = 100;

const sourceId = z.union([z.literal(WAREHOUSE_SOURCE_ID), z.uuid()], { message: 'sourceId must be "warehouse" or a data source id (UUID)' });
const savedSourceId = z.uuid({ message: "sourceId must be a data source id (UUID)" });
const sourceName = safeString().trim().min(1, "Name the source").max(80, "At most 80 characters");
const config = z.record(safeString(), safeUnknown());
const param = z.union([safeString().max(10_000), z.number(), z.boolean(), z.null()]);

/** 429s carry Retry-After. */
function withRetryAfter(ctx: Pick<RequestContext, "resHeaders">) {
  return (err: unknown): never => {
    if (err instanceof TRPCError && err.code === "TOO_MANY_REQUESTS") ctx.resHeaders?.set("Retry-After", "1");
    throw err;
  };
}

function importError(err: unknown): never {
  if (err instanceof ImportProblem) throw fieldError("UNPROCESSABLE_CONTENT", err.field, err.message);
  throw err;
}

export const dataRouter = createTRPCRouter({
  /** The kinds of source people can add (for the "connect" form). */
  connectors: capabilityProcedure(datasourceView).query(() => connectorTypes()),

  sources: createTRPCRouter({
    list: capabilityProcedure(datasourceView)
      .meta({
        mcp: {
          name: "list_data_sources",
          description:
            'List the organization\'s data sources: the built-in warehouse (id "warehouse") and connected PostgreSQL databases. Credentials are never returned.',
          readOnly: true,
        },
        openapi: { method: "GET", path: "/orgs/{orgId}/data-sources", summary: "List the organization's data sources (the warehouse and connected databases); credentials are never returned", tags: ["data"] },
      })
      .output(sourceListOutput)
      .query(({ ctx }) => listSources(ctx.kernel, ctx.db, ctx.org.id)),

    get: capabilityProcedure(datasourceView)
      .input(z.object({ sourceId }))
      .query(({ ctx, input }) => getSource(ctx.kernel, ctx.db, ctx.org.id, input.sourceId)),

    test: capabilityProcedure(datasourceManage)
      .meta({
        mcp: {
          name: "test_data_source",
          description:
            "Test a PostgreSQL connection without saving it ({ type: 'postgres', config }) or test a saved source ({ sourceId }, optionally with changed config). Returns ok, a message and the config field at fault.",
          // Not read-only: the test is recorded in the audit log (and may provision the warehouse).
          idempotent: true,
        },
        openapi: { method: "POST", path: "/orgs/{orgId}/data-sources/connection-tests", summary: "Test a connection without saving it, or a saved source (sourceId) with changed settings", tags: ["data"] },
      })
      .input(z.object({ sourceId: sourceId.optional(), type: safeString().max(40).optional(), config: config.optional() }))
      .output(testOutput)
      .mutation(async ({ ctx, input }) => {
        const result = await testSource(ctx.kernel, ctx.db, ctx.org.id, input);
        await ctx.audit({ action: "data.source.test", target: input.sourceId ? { type: "data_source", id: input.sourceId } : undefined, data: { type: input.type ?? null, ok: result.ok } });
        return result;
      }),

    create: capabilityProcedure(datasourceManage)
      .meta({
        mcp: {
          name: "create_data_source",
          description:
            "Connect an external PostgreSQL database. config is exactly { host, port, database, user, password, sslmode } (sslmode: disable, prefer, require, verify-ca, verify-full). The connection is tested first; a failed test saves nothing and names the field at fault. An organization holds at most 100 data sources (the warehouse aside).",
        },
        openapi: { method: "POST", path: "/orgs/{orgId}/data-sources", summary: "Connect a PostgreSQL database (tested first; a failed test saves nothing and names the field)", tags: ["data"] },
      })
      .input(z.object({ name: sourceName, type: safeString().max(40).default("postgres"), config }))
      .output(sourceOutput)
      .mutation(async ({ ctx, input }) => {
        const source = await createSource(ctx.kernel, ctx.db, ctx.org.id, ctx.actor.userId, input);
        await ctx.audit({ action: "data.source.create", target: { type: "data_source", id: source.id }, data: { name: source.name, type: source.type, config: source.config } });
        return source;
      }),

    update: capabilityProcedure(datasourceManage)
      .meta({
        mcp: {
          name: "update_data_source",
          description: "Rename a data source or change its connection settings (tested before saving). Omit password to keep the stored one.",
          idempotent: true,
        },
        openapi: { method: "PATCH", path: "/orgs/{orgId}/data-sources/{sourceId}", summary: "Rename a data source or change its settings (tested before saving; omit password to keep it)", tags: ["data"] },
      })
      .input(z.object({ sourceId: savedSourceId, name: sourceName.optional(), config: config.optional() }))
      .output(sourceOutput)
      .mutation(async ({ ctx, input }) => {
        const source = await updateSource(ctx.kernel, ctx.db, ctx.org.id, input);
        await ctx.audit({
          action: "data.source.update",
          target: { type: "data_source", id: source.id },
          data: { name: input.name ?? null, changed: Object.keys(input.config ?? {}).map((k) => (k === "password" ? "password (changed)" : k)) },
        });
        return source;
      }),

    delete: capabilityProcedure(datasourceManage)
      .meta({
        mcp: { name: "delete_data_source", description: "Remove a connected data source (its credentials are deleted).", destructive: true, idempotent: false },
        openapi: { method: "DELETE", path: "/orgs/{orgId}/data-sources/{sourceId}", summary: "Remove a connected data source and its credentials", tags: ["data"] },
      })
      .input(z.object({ sourceId: savedSourceId }))
      .output(sourceDeletedOutput)
      .mutation(async ({ ctx, input }) => {
        const deleted = await deleteSource(ctx.kernel, ctx.db, ctx.org.id, input.sourceId);
        await ctx.audit({ action: "data.source.delete", target: { type: "data_source", id: deleted.id }, data: { name: deleted.name } });
        return { deleted: true as const, id: deleted.id };
      }),
  }),

  describeTables: capabilityProcedure(datasourceView)
    .meta({
      mcp: {
        name: "describe_tables",
        description:
          'List the tables and views a query on a data source can read, with their columns, types and estimated row counts. sourceId "warehouse" is the organization\'s own warehouse (the sample dataset lives in schema "sample").',
        readOnly: true,
        idempotent: true,
      },
      openapi: { method: "GET", path: "/orgs/{orgId}/tables", summary: "List the tables and views a query on a source can read, with columns and row estimates (sourceId: warehouse, the default, or a source's id)", tags: ["data"] },
    })
    .input(z.object({ sourceId: sourceId.default(WAREHOUSE_SOURCE_ID) }))
    .output(tablesOutput)
    .query(async ({ ctx, input, signal }) => ({
      sourceId: input.sourceId,
      tables: await describeTables(ctx.kernel, ctx.db, ctx.org.id, input.sourceId, signal ?? ctx.signal).catch(withRetryAfter(ctx)),
    })),

  // No `cost: "expensive"`: ad-hoc queries already have the engine's own per-org limit (429 at
  // once past QUERY_CONCURRENCY); a second, queueing budget in front would hide it.
  runQuery: capabilityProcedure(queryRun)
    .meta({
      mcp: {
        name: "run_query",
        description:
          "Run one read-only PostgreSQL SELECT on a data source and get { columns, rows (arrays aligned with columns), truncated, elapsedMs, cached }. Pass values as params ($1, $2, …), never inside the SQL. Results are capped (rows and bytes) and time-limited; identical queries are served from a short cache unless refresh is true.",
        readOnly: true,
        idempotent: true,
      },
      // POST: the SQL travels in the body, not the URL.
      openapi: { method: "POST", path: "/orgs/{orgId}/query", summary: "Run one read-only SELECT with $1… params; capped and time-limited (429 with Retry-After past the organization's concurrent queries)", tags: ["data"] },
    })
    .input(
      z.object({
        sourceId: sourceId.default(WAREHOUSE_SOURCE_ID),
        sql: safeString().max(MAX_SQL_LENGTH, `At most ${MAX_SQL_LENGTH} characters`).refine((s) => s.trim().length > 0, "Write a query"),
        params: z.array(param).max(MAX_PARAMS, `At most ${MAX_PARAMS} parameters`).default([]),
        maxRows: z.number().int().min(1).max(1_000_000).optional(),
        refresh: z.boolean().default(false),
      }),
    )
    .output(queryOutput)
    .query(({ ctx, input, signal }) => runQuery(ctx.kernel, ctx.db, ctx.org.id, input, signal ?? ctx.signal).catch(withRetryAfter(ctx))),

  importCsv: capabilityProcedure(warehouseLoad)
    .meta({
      mcp: {
        name: "import_csv",
        description:
          "Import CSV text (first line: column names) into a table of the organization's warehouse. Column types are inferred (integer, numeric, boolean, date, timestamp, text). mode 'replace' (default) recreates the table; 'append' adds rows to it. Bad rows are skipped and reported with their line numbers.",
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/warehouse/imports", summary: "Import CSV text into a warehouse table (types inferred; replace or append; bad rows reported by line)", tags: ["data"] },
    })
    .input(
      z.object({
        table: safeString().max(63, "At most 63 characters"),
        csv: safeString().max(MAX_CSV_UPLOAD, `At most ${MAX_CSV_UPLOAD} characters; use the CLI (warehouse:import) for larger files`),
        mode: z.enum(["replace", "append"]).default("replace"),
        /** Choose it to follow `onImportProgress` for this upload. */
        importId: z.uuid().optional(),
      }),
    )
    .output(importOutput)
    .mutation(async ({ ctx, input }) => {
      const maxBytes = dataRuntime(ctx.kernel).settings.csvMaxBytes;
      const result = await importCsv(ctx.kernel, textChunks(input.csv), {
        orgId: ctx.org.id,
        db: ctx.db,
        table: input.table,
        mode: input.mode,
        importId: input.importId,
        maxBytes,
      }).catch(importError);
      await ctx.audit({
        action: "data.warehouse.import",
        target: { type: "warehouse_table", id: result.table },
        data: { mode: result.mode, rowsImported: result.rowsImported, rowsRejected: result.rowsRejected, bytes: result.bytes },
      });
      return result;
    }),

  loadSample: capabilityProcedure(warehouseLoad)
    .meta({
      mcp: {
        name: "load_sample_data",
        description:
          "Load (or reload) the sample dataset into the organization's warehouse: schema \"sample\" with customers, products, orders, order_items and events (about 200k rows).",
        idempotent: true,
      },
      openapi: { method: "POST", path: "/orgs/{orgId}/warehouse/sample", summary: "Load (or reload) the sample dataset into the warehouse's schema sample", tags: ["data"] },
    })
    .output(sampleOutput)
    .mutation(async ({ ctx }) => {
      const result = await loadSample(ctx.kernel, ctx.db, ctx.org.id);
      await ctx.audit({ action: "data.warehouse.sample", data: { totalRows: result.totalRows } });
      return result;
    }),

  /** Live progress of CSV imports in this org (all, or the one with `importId`). */
  onImportProgress: capabilityProcedure(warehouseLoad)
    .input(z.object({ importId: z.uuid().optional() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const event of ctx.kernel.events.stream("data.import.progress", { orgId: ctx.org.id, signal })) {
        if (!input.importId || event.payload.importId === input.importId) yield event.payload;
      }
    }),
});
