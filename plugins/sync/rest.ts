/**
 * The REST answers of `sync.*` (docs/decisions/032-rest-api-from-procedures.md): loose objects,
 * so output validation never drops a field the app reads, typed as the service's views.
 */
import { z } from "zod";
import type { DatasetView, SourceView } from "./service";

const sourceFields = {
  id: z.string(),
  projectKey: z.string().describe("The local project's key, as the CLI registered it"),
  machineId: z.string(),
  name: z.string(),
  createdAt: z.date(),
  lastSyncAt: z.date().nullable(),
  lastCursor: z.string().nullable().describe("The cursor of the machine's last committed batch"),
  rowsSent: z.number(),
  lagSeconds: z.number().nullable().describe("Seconds since the machine's last batch (null before its first)"),
};

export const sourceListOutput = z.array(z.looseObject(sourceFields).meta({ id: "SyncSource" })) as unknown as z.ZodType<SourceView[]>;

export const datasetListOutput = z.array(
  z
    .looseObject({
      name: z.string().describe("The table in the organization's warehouse (queryable by the SQL tools)"),
      keyColumns: z.array(z.string()).nullable(),
      columnCount: z.number(),
      rowCount: z.number(),
      batches: z.number(),
      lastSyncAt: z.date().nullable(),
      lastSource: z.looseObject({ id: z.string(), name: z.string(), machineId: z.string() }).nullable().describe("The machine that sent the last batch"),
    })
    .meta({ id: "SyncDataset" }),
) as unknown as z.ZodType<DatasetView[]>;
