/**
 * The query engine as other plugins use it (dashboards, agents): run one read-only statement
 * on one of an org's sources and describe the tables it can read, under the data plugin's
 * limits, result cache, per-org concurrency limit and error shapes. Authorization stays with
 * the caller's procedure. List "data" in your plugin's `requires`.
 */
import type { Kernel } from "~/kernel/kernel";
import { dataRuntime } from "./runtime";

export { datasourceView, queryRun } from "./capabilities";
export type { QueryColumn, TableInfo } from "./connectors";
export { WAREHOUSE_SOURCE_ID, describeTables, listSources, runQuery, type DataSourceView, type QueryInput, type QueryResponse } from "./service";

/** How many queries one org may run at once on this instance; past it `runQuery` answers 429. */
export function queryConcurrency(kernel: Kernel): number {
  return dataRuntime(kernel).settings.concurrency;
}

/**
 * Writing into an org's warehouse (the ingestion API of the sync plugin): the warehouse
 * provisioned on first use, an admin connection to it, forgetting cached results after a
 * write, and the CSV reader and value types the CSV import uses.
 */
export { ensureWarehouse, withWarehouseAdmin, type WarehouseInfo } from "./warehouse";
export { invalidateWarehouse } from "./service";
export { parseCsv, fitsType, tableNameProblem, TypeInference, columnTypeOf, type ColumnType, type CsvRecord } from "./csv";
