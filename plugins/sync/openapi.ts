/**
 * The ingestion API's operations as OpenAPI 3.1 (the rest-api plugin merges every plugin route's
 * `openapi` into `/api/v1/openapi.json`). They are HTTP routes, not procedures: a batch is a raw
 * body (JSON lines or CSV, gzip accepted), so it is described here, next to ./http.ts.
 */
const error = { $ref: "#/components/schemas/Error" };
const json = (schema: unknown) => ({ "application/json": { schema } });

const rejected = {
  type: "array",
  description: "The rows refused, with why (nothing is written when any is)",
  items: {
    type: "object",
    required: ["row", "field", "message"],
    properties: {
      row: { type: "integer", description: "1-based row of the batch (a CSV header is not a row); 0 for the batch as a whole" },
      field: { type: ["string", "null"], description: "The column it concerns, or null" },
      message: { type: "string" },
    },
  },
};

const batchAnswer = {
  type: "object",
  required: ["accepted", "duplicates", "rejected", "cursor"],
  properties: {
    accepted: { type: "integer", description: "Rows written (inserted or updated on the key)" },
    duplicates: { type: "integer", description: "Rows the key columns had already seen in this batch" },
    rejected,
    cursor: { type: ["string", "null"], description: "The source's checkpoint after this batch (the Atrium-Cursor sent), or null" },
  },
};

/** A refusal of a batch: the error, and the batch answer (nothing accepted) with field errors. */
const batchRefusal = {
  allOf: [error, { type: "object", properties: { ...batchAnswer.properties, fieldErrors: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } } }],
};

const retryAfter = { "Retry-After": { description: "Seconds to wait before sending again", schema: { type: "integer", minimum: 1 } } };

const source = {
  type: "object",
  required: ["id", "projectKey", "machineId", "name", "createdAt", "lastSyncAt", "lastCursor", "rowsSent", "lagSeconds"],
  properties: {
    id: { type: "string", format: "uuid", description: "Send it as Atrium-Source with each batch" },
    projectKey: { type: "string" },
    machineId: { type: "string" },
    name: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    lastSyncAt: { type: ["string", "null"], format: "date-time" },
    lastCursor: { type: ["string", "null"] },
    rowsSent: { type: "integer" },
    lagSeconds: { type: ["integer", "null"] },
  },
};

const dataset = {
  type: "object",
  required: ["name", "keyColumns", "columnCount", "rowCount", "batches", "lastSyncAt", "lastSource"],
  properties: {
    name: { type: "string", description: "The table in the organization's warehouse" },
    keyColumns: { type: ["array", "null"], items: { type: "string" } },
    columnCount: { type: "integer" },
    rowCount: { type: "integer" },
    batches: { type: "integer" },
    lastSyncAt: { type: ["string", "null"], format: "date-time" },
    lastSource: { oneOf: [{ type: "null" }, { type: "object", required: ["id", "name", "machineId"], properties: { id: { type: "string" }, name: { type: "string" }, machineId: { type: "string" } } }] },
  },
};

const authRefusals = {
  "401": { description: "No credential, or a bad one: send `Authorization: Bearer <token>`", content: json(error) },
  "403": { description: "The token lacks the scope, is limited to some projects, or your role lacks sync.write", content: json(error) },
};

const printable = (max: number) => ({ type: "string", minLength: 1, maxLength: max, pattern: "^[\\x21-\\x7e][\\x20-\\x7e]*$" });

export const postRowsOperation = {
  post: {
    operationId: "sync-rows",
    summary: "Send a batch of rows into a dataset (a warehouse table), in one transaction",
    description:
      "The rows go into the organization's warehouse table `name` (created on the first batch; new columns added). " +
      "The whole batch commits or nothing does. With Atrium-Key, rows upsert on those columns. " +
      "Send the same Idempotency-Key again (same body) and the first answer is replayed: a batch is applied exactly once. " +
      "Needs the write scope and the sync.write capability.",
    tags: ["sync"],
    security: [{ bearer: [] }],
    parameters: [
      { in: "path", name: "name", required: true, description: "The dataset (table) name: lower-case letters, digits and _", schema: { type: "string", pattern: "^[a-z_][a-z0-9_]*$", maxLength: 63 } },
      { in: "header", name: "Idempotency-Key", required: false, description: "Makes a retry safe: the same key and body answer the first answer; the same key with another body is a 409", schema: printable(255) },
      { in: "header", name: "Atrium-After", required: false, description: "The Idempotency-Key of the batch sent just before this one (this batch needs its own Idempotency-Key): it is written after that one, waiting for it; if it never comes, a 409 PREVIOUS_BATCH_MISSING", schema: printable(255) },
      { in: "header", name: "Atrium-Key", required: false, description: "Key columns, separated by commas: rows upsert on them", schema: { type: "string", maxLength: 1000 } },
      { in: "header", name: "Atrium-Source", required: false, description: "The source id POST /sources returned: the batch is recorded as this machine's", schema: { type: "string", format: "uuid" } },
      { in: "header", name: "Atrium-Cursor", required: false, description: "The machine's checkpoint after this batch, given back by GET /sources", schema: printable(500) },
      { in: "header", name: "Content-Encoding", required: false, description: "gzip, to send the body compressed", schema: { type: "string", enum: ["gzip", "identity"] } },
    ],
    requestBody: {
      required: true,
      content: {
        "application/x-ndjson": { schema: { type: "string", description: "One JSON object per line: column name to value" } },
        "text/csv": { schema: { type: "string", description: "A header line of column names, then one line per row" } },
      },
    },
    responses: {
      "200": {
        description: "Committed (or replayed: the Idempotent-Replayed header is true)",
        headers: { "Idempotent-Replayed": { description: "true when this answers a repeated Idempotency-Key", schema: { type: "string", enum: ["true"] } } },
        content: json(batchAnswer),
      },
      "400": { description: "The body could not be read as its Content-Type says (a broken CSV or JSON line)", content: json(batchRefusal) },
      ...authRefusals,
      "404": { description: "The organization is not there, or not yours", content: json(error) },
      "409": { description: "The Idempotency-Key was used with another body, the batch named by Atrium-After never came, or the name is a table Atrium did not create: nothing written", content: json(batchRefusal) },
      "413": { description: "The body, inflated body or row count is over the limit: split the batch", content: json(batchRefusal) },
      "415": { description: "Not JSON lines or CSV, or an unknown Content-Encoding", content: json(batchRefusal) },
      "422": { description: "A row, a header or the name is refused (see rejected and fieldErrors): nothing written", content: json(batchRefusal) },
      "429": { description: "The organization's rows-per-minute budget is spent: retry after Retry-After seconds", headers: retryAfter, content: json(batchRefusal) },
    },
  },
};

export const listDatasetsOperation = {
  get: {
    operationId: "sync-datasets",
    summary: "List the token's organization's synced datasets",
    tags: ["sync"],
    security: [{ bearer: [] }],
    responses: { "200": { description: "The datasets, by name", content: json({ type: "array", items: dataset }) }, ...authRefusals },
  },
};

export const sourcesOperations = {
  get: {
    operationId: "sync-sources",
    summary: "List the machines that sync into the token's organization, with each one's last sync and lag",
    tags: ["sync"],
    security: [{ bearer: [] }],
    responses: { "200": { description: "The machines, by name", content: json({ type: "array", items: source }) }, ...authRefusals },
  },
  post: {
    operationId: "sync-register-source",
    summary: "Register this machine's local project (idempotent: the same projectKey and machineId answer the same source)",
    tags: ["sync"],
    security: [{ bearer: [] }],
    requestBody: {
      required: true,
      content: json({
        type: "object",
        required: ["projectKey", "machineId", "name"],
        properties: { projectKey: printable(200), machineId: printable(200), name: { type: "string", minLength: 1, maxLength: 120 } },
      }),
    },
    responses: {
      "200": { description: "The source (created tells whether it is new)", content: json({ allOf: [source, { type: "object", properties: { created: { type: "boolean" } } }] }) },
      ...authRefusals,
      "413": { description: "The body is over 4 KiB", content: json(error) },
      "422": { description: "A field is refused; see fieldErrors", content: json(error) },
    },
  },
};
