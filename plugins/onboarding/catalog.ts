/**
 * The setup task catalog and the reason catalog: pure data, shared by the server and the
 * browser. A task names what it does and which parameters it takes; a reason code names an
 * outcome with a fixed, person-readable message. Evidence carries only catalog messages and
 * allow-listed payload fields, never an error's own text (which may carry a password, a host
 * name or a user name from a connection string).
 */
import { z } from "zod";
import { safeString } from "~/kernel/schemas";

export const TASK_IDS = ["connection.verify", "schema.introspect", "data.freshness", "query.test", "data.import", "sample.load", "dashboard.generate", "dashboard.run"] as const;
export type TaskId = (typeof TASK_IDS)[number];

const sourceId = z.union([z.literal("warehouse"), z.uuid()], { message: 'sourceId must be "warehouse" or a data source id (UUID)' });

/** The most CSV text a `data.import` run takes (larger files go through the Data page or the CLI). */
export const MAX_TASK_CSV = 1_000_000;

/** Each task's parameters. Only the fields in `stored` are kept on the run (never the CSV text). */
export const TASK_PARAMS = {
  "connection.verify": z.object({ sourceId: sourceId.default("warehouse") }).strict(),
  "schema.introspect": z.object({ sourceId: sourceId.default("warehouse") }).strict(),
  "data.freshness": z.object({ sourceId: sourceId.default("warehouse") }).strict(),
  "query.test": z.object({ sourceId: sourceId.default("warehouse") }).strict(),
  "data.import": z
    .object({
      table: safeString().trim().min(1, "Name the table").max(63, "At most 63 characters"),
      csv: safeString().max(MAX_TASK_CSV, `At most ${MAX_TASK_CSV} characters; use the Data page for larger files`).refine((s) => s.trim().length > 0, "The CSV is empty"),
    })
    .strict(),
  "sample.load": z.object({}).strict(),
  "dashboard.generate": z.object({ projectId: z.uuid({ message: "projectId must be a project id (UUID)" }).optional() }).strict(),
  "dashboard.run": z
    .object({
      projectId: z.uuid({ message: "projectId must be a project id (UUID)" }).optional(),
      slug: safeString().trim().max(64).optional(),
    })
    .strict(),
} as const satisfies Record<TaskId, z.ZodType>;

export type TaskParams<T extends TaskId> = z.output<(typeof TASK_PARAMS)[T]>;

/** The parameter fields a run keeps (shown in history); everything else stays in the job only. */
export const STORED_PARAMS = ["sourceId", "table", "projectId", "slug"] as const;

export interface TaskSpec {
  id: TaskId;
  label: string;
  description: string;
  /** The capability the work itself needs (re-checked when the job runs as the person who started it). */
  needs: string;
}

export const TASKS: Record<TaskId, TaskSpec> = {
  "connection.verify": { id: "connection.verify", label: "Check the connection", description: "Connect to a data source and check that Atrium can read it.", needs: "datasource.manage" },
  "schema.introspect": { id: "schema.introspect", label: "Read the schema", description: "List the tables and columns a query on the source can read.", needs: "datasource.view" },
  "data.freshness": {
    id: "data.freshness",
    label: "Check data freshness",
    description: "Find the newest timestamp in the data and say how old it is (older than 30 days is a warning).",
    needs: "query.run",
  },
  "query.test": { id: "query.test", label: "Run a test query", description: "Run a small query (a row count) on the data and check that it answers.", needs: "query.run" },
  "data.import": { id: "data.import", label: "Import a CSV file", description: "Load CSV text into a table of the organization's warehouse.", needs: "warehouse.load" },
  "sample.load": { id: "sample.load", label: "Load the sample data", description: "Load the sample shop (customers, products, orders, events) into the warehouse.", needs: "warehouse.load" },
  "dashboard.generate": { id: "dashboard.generate", label: "Create a first dashboard", description: "Create a dashboard from a template chosen by the data found.", needs: "dashboard.edit" },
  "dashboard.run": { id: "dashboard.run", label: "Run the dashboard", description: "Run every query of a dashboard and check that each one answers.", needs: "dashboard.view" },
};

export const BADGES = ["ok", "warn", "fail", "unknown"] as const;
export type Badge = (typeof BADGES)[number];

export interface Reason {
  status: Badge;
  message: string;
  /** Worth retrying with backoff (the source may come back). */
  transient?: boolean;
}

/** Every outcome a run can record, with the only message evidence may carry. */
export const REASONS = {
  "connection.ok": { status: "ok", message: "Connected: Atrium can reach and read this source." },
  "connection.refused": { status: "fail", message: "The server refused the connection. Check the host and port, and that the database is running.", transient: true },
  "connection.timeout": { status: "fail", message: "The server did not answer in time.", transient: true },
  "connection.unavailable": { status: "fail", message: "The source is busy or unavailable right now.", transient: true },
  "auth.failed": { status: "fail", message: "The server refused the user name or password." },
  "host.unknown": { status: "fail", message: "The host name could not be found." },
  "host.refused": { status: "fail", message: "This address is not allowed for data sources." },
  "database.missing": { status: "fail", message: "The database does not exist on that server." },
  "tls.failed": { status: "fail", message: "The secure connection (TLS) could not be set up. Check sslmode." },
  "connection.failed": { status: "fail", message: "The connection failed." },
  "source.invalid": { status: "fail", message: "The source's settings are not valid. Edit the source on the Data page." },
  "schema.found": { status: "ok", message: "Tables found." },
  "schema.empty": { status: "warn", message: "The source has no tables yet." },
  "data.fresh": { status: "ok", message: "The newest data is less than 30 days old." },
  "data.stale": { status: "warn", message: "The newest data is more than 30 days old." },
  "data.no_timestamp": { status: "warn", message: "No date or time column was found, so freshness is unknown." },
  "data.none": { status: "fail", message: "There are no tables to check yet. Load data first." },
  "query.answered": { status: "ok", message: "A test query answered." },
  "query.failed": { status: "fail", message: "The test query failed." },
  "data.imported": { status: "ok", message: "The file was imported." },
  "data.partly_imported": { status: "warn", message: "The file was imported, but some rows were rejected." },
  "data.invalid": { status: "fail", message: "The file could not be imported. Check the table name and the CSV header." },
  "sample.loaded": { status: "ok", message: "The sample data is loaded." },
  "dashboard.created": { status: "ok", message: "A first dashboard was created." },
  "dashboard.exists": { status: "ok", message: "The setup's first dashboard already exists; it was kept." },
  "dashboard.no_data": { status: "fail", message: "There is no data to build a dashboard from yet. Load data first." },
  "dashboard.no_project": { status: "fail", message: "There is no project to put the dashboard in. Create a project first." },
  "dashboard.ran": { status: "ok", message: "Every query of the dashboard answered." },
  "dashboard.partly_failed": { status: "warn", message: "Some queries of the dashboard failed." },
  "dashboard.failed": { status: "fail", message: "The dashboard's queries failed." },
  "dashboard.missing": { status: "fail", message: "There is no dashboard to run." },
  "permission.denied": { status: "fail", message: "The person who started this task may no longer do it." },
  "target.missing": { status: "fail", message: "What this task works on no longer exists." },
  "worker.lost": { status: "fail", message: "The worker running this task stopped. Start it again." },
  "cancelled": { status: "unknown", message: "Cancelled before it finished." },
  "internal": { status: "fail", message: "Something went wrong on our side. It has been logged." },
} as const satisfies Record<string, Reason>;

export type ReasonCode = keyof typeof REASONS;

export function isTaskId(value: string): value is TaskId {
  return (TASK_IDS as readonly string[]).includes(value);
}

/**
 * Evidence payload fields, by task: anything else a run produces is dropped before it is stored.
 * Numbers and booleans pass as they are; strings only when they match the field's pattern.
 */
const PAYLOAD_FIELDS: Record<TaskId, Record<string, "number" | "boolean" | RegExp>> = {
  "connection.verify": { elapsedMs: "number", field: /^config\.[a-z]{1,20}$/ },
  "schema.introspect": { tables: "number", columns: "number", schemas: "number" },
  "data.freshness": { table: /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/, column: /^[a-z_][a-z0-9_]{0,62}$/, newest: /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, ageDays: "number" },
  "query.test": { table: /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/, rows: "number", elapsedMs: "number" },
  "data.import": { table: /^[a-z_][a-z0-9_]{0,62}$/, rowsImported: "number", rowsRejected: "number", columns: "number" },
  "sample.load": { totalRows: "number", tables: "number", elapsedMs: "number" },
  "dashboard.generate": { template: /^[a-z-]{1,40}$/, projectId: /^[0-9a-f-]{36}$/, slug: /^[a-z0-9-]{1,64}$/ },
  "dashboard.run": { queries: "number", failed: "number", projectId: /^[0-9a-f-]{36}$/, slug: /^[a-z0-9-]{1,64}$/ },
};

/** Keeps only the allow-listed fields of a task's payload. */
export function allowListedPayload(task: TaskId, raw: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, rule] of Object.entries(PAYLOAD_FIELDS[task])) {
    const value = raw[key];
    if (rule === "number" && typeof value === "number" && Number.isFinite(value)) out[key] = value;
    else if (rule === "boolean" && typeof value === "boolean") out[key] = value;
    else if (rule instanceof RegExp && typeof value === "string" && rule.test(value)) out[key] = value;
  }
  return out;
}
