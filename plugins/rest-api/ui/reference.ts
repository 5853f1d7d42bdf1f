/**
 * The reference page's reading of the OpenAPI document: operations grouped by tag, each with its
 * parameters and body fields in plain words. Pure, so the page stays small.
 */
export interface SchemaLike {
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  items?: SchemaLike;
  properties?: Record<string, SchemaLike>;
  required?: string[];
  $ref?: string;
  anyOf?: SchemaLike[];
}

export interface Field {
  name: string;
  where: "path" | "query" | "body";
  type: string;
  required: boolean;
  description: string;
}

export interface OperationDoc {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  fields: Field[];
  answer: string;
}

export interface ApiDoc {
  title: string;
  description: string;
  baseUrl: string;
  groups: Array<{ tag: string; operations: OperationDoc[] }>;
}

interface RawOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: SchemaLike }>;
  requestBody?: { content?: Record<string, { schema?: SchemaLike }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaLike }> }>;
}

export function typeOf(schema: SchemaLike | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return schema.$ref.split("/").pop() ?? "object";
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(" | ");
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
  if (type === "array") return `${typeOf(schema.items)}[]`;
  if (schema.format) return `${type ?? "string"} (${schema.format})`;
  return type ?? "any";
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** The document as the page shows it. */
export function readApiDoc(document: unknown): ApiDoc {
  const doc = (document ?? {}) as { info?: { title?: string; description?: string }; servers?: Array<{ url?: string }>; paths?: Record<string, Record<string, RawOperation>> };
  const groups = new Map<string, OperationDoc[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const fields: Field[] = (op.parameters ?? []).map((p) => ({
        name: p.name,
        where: p.in === "path" ? "path" : "query",
        type: typeOf(p.schema),
        required: Boolean(p.required),
        description: p.description ?? p.schema?.description ?? "",
      }));
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      for (const [name, schema] of Object.entries(bodySchema?.properties ?? {})) {
        fields.push({ name, where: "body", type: typeOf(schema), required: bodySchema?.required?.includes(name) ?? false, description: schema.description ?? "" });
      }
      const answer = typeOf(op.responses?.["200"]?.content?.["application/json"]?.schema);
      const tag = op.tags?.[0] ?? "other";
      const list = groups.get(tag) ?? [];
      list.push({ id: op.operationId ?? `${method}-${path}`, method: method.toUpperCase(), path, summary: op.summary ?? "", description: op.description ?? "", fields, answer });
      groups.set(tag, list);
    }
  }
  return {
    title: doc.info?.title ?? "API",
    description: doc.info?.description ?? "",
    baseUrl: doc.servers?.[0]?.url ?? "",
    groups: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tag, operations]) => ({ tag, operations })),
  };
}
