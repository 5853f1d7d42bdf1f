/**
 * The data plugin: data sources (the per-org warehouse and external PostgreSQL), a query engine
 * the database keeps safe, CSV import and the sample dataset. Other plugins add connectors
 * through `./connectors` (the extension point this plugin exports on purpose).
 */
import { createReadStream } from "node:fs";
import { UsageError, orgBySlug } from "./cli";
import { definePlugin } from "~/kernel/plugin";
import { dataCapabilities } from "./capabilities";
import { registerConnector } from "./connectors";
import { postgresConnector, warehouseConnector } from "./postgres";
import { ImportProblem, importCsv } from "./import";
import * as sourcesMigration from "./migrations/2026-12-01-001-sources";
import { dataRouter } from "./router";
import { closeDataRuntime } from "./runtime";
import { loadSample } from "./sample";
import { invalidateWarehouse } from "./service";
import { loadDataSettings } from "./settings";

export const dataPlugin = definePlugin({
  id: "data",
  capabilities: dataCapabilities,
  migrations: { "2026-12-01-001-sources": sourcesMigration },
  router: dataRouter,
  on: {
    // Another instance imported data: forget this instance's cached results for that org.
    "data.warehouse.changed": (event, kernel) => {
      if (event.orgId) invalidateWarehouse(kernel, event.orgId);
    },
  },
  cli: {
    "sample:load": {
      summary: "Load (or reload) the sample dataset into an organization's warehouse",
      usage: "--org <slug>",
      async run({ kernel, flags, print }) {
        const org = await orgBySlug(kernel, flags);
        try {
          const result = await loadSample(kernel, kernel.ownerDb, org.id);
          for (const t of result.tables) print(`${t.name}\t${t.rows}`);
          print(`loaded ${result.totalRows} rows into ${org.slug}'s warehouse in ${result.elapsedMs} ms`);
        } finally {
          await closeDataRuntime(kernel);
        }
      },
    },
    "warehouse:import": {
      summary: "Import a CSV file into a table of an organization's warehouse (replaces it unless --append)",
      usage: "--org <slug> --table <name> --file <data.csv> [--append]",
      async run({ kernel, flags, print }) {
        const org = await orgBySlug(kernel, flags);
        const table = typeof flags.table === "string" ? flags.table : "";
        const file = typeof flags.file === "string" ? flags.file : "";
        if (!table) throw new UsageError("--table is required");
        if (!file) throw new UsageError("--file is required");
        try {
          const result = await importCsv(kernel, createReadStream(file), {
            orgId: org.id,
            db: kernel.ownerDb,
            table,
            mode: flags.append ? "append" : "replace",
          });
          print(`${result.mode === "append" ? "appended" : "imported"} ${result.rowsImported} rows into ${result.table} (${result.bytes} bytes, ${result.elapsedMs} ms)`);
          for (const c of result.columns) print(`  ${c.name}\t${c.type}${c.name !== c.sourceName ? `\t(from "${c.sourceName}")` : ""}`);
          if (result.rowsRejected) {
            print(`${result.rowsRejected} rows rejected:`);
            for (const e of result.errors) print(`  line ${e.line}: ${e.message}`);
          }
        } catch (err) {
          if (err instanceof ImportProblem) throw new UsageError(`${err.field}: ${err.message}`);
          throw err;
        } finally {
          await closeDataRuntime(kernel);
        }
      },
    },
  },
  init() {
    // Fail the boot on a bad variable, naming it, rather than on the first query.
    loadDataSettings();
    // The built server bundles the boot (and so the job handlers) apart from the request
    // handlers, and that copy dropped the side-effect import that registers the built-in
    // connectors: a job reaching the engine found none. Registering is idempotent.
    registerConnector(warehouseConnector);
    registerConnector(postgresConnector);
  },
});
