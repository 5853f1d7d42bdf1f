/**
 * The REST operations of a router: every procedure whose metadata carries `openapi`, with its
 * path compiled for matching, and the reading of a request into the procedure's input (path
 * parameters, then the JSON body or, for GET, the query string with numbers and booleans read
 * from their text). The procedures' own schemas are only read, never changed: validation stays
 * exactly what the app and the MCP tools get.
 */
import type { AnyRouter } from "@trpc/server";
import { z } from "zod";
import type { ProcedureMeta } from "~/kernel/trpc";

type OpenApiMeta = NonNullable<ProcedureMeta["openapi"]>;

export interface RestOperation {
  /** The procedure's dotted path (`dashboards.get`). */
  procedure: string;
  method: OpenApiMeta["method"];
  /** As in the document: `/orgs/{orgId}/projects`. */
  path: string;
  segments: Array<{ literal: string } | { param: string }>;
  /** The input's top-level fields, to read query-string values as their types. */
  fields: Record<string, "number" | "boolean" | "array" | "other">;
}

interface ProcedureLike {
  _def: { meta?: ProcedureMeta; inputs?: unknown[] };
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else break;
  }
  return current;
}

function kindOf(schema: z.ZodType): RestOperation["fields"][string] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodNumber) return "number";
  if (inner instanceof z.ZodBoolean) return "boolean";
  if (inner instanceof z.ZodArray) return "array";
  return "other";
}

function fieldsOf(inputs: unknown[] | undefined): RestOperation["fields"] {
  const fields: RestOperation["fields"] = {};
  for (const input of inputs ?? []) {
    if (!(input instanceof z.ZodObject)) continue;
    for (const [name, schema] of Object.entries(input.shape as Record<string, z.ZodType>)) fields[name] = kindOf(schema);
  }
  return fields;
}

const cache = new WeakMap<AnyRouter, RestOperation[]>();

/** The router's REST operations (read once per router). */
export function restOperations(router: AnyRouter): RestOperation[] {
  const known = cache.get(router);
  if (known) return known;
  const out: RestOperation[] = [];
  for (const [procedure, value] of Object.entries(router._def.procedures as Record<string, ProcedureLike>)) {
    const openapi = value._def.meta?.openapi;
    if (!openapi || openapi.enabled === false) continue;
    const segments = openapi.path
      .split("/")
      .filter(Boolean)
      .map((part: string) => (/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(part) ? { param: part.slice(1, -1) } : { literal: part }));
    out.push({ procedure, method: openapi.method, path: openapi.path, segments, fields: fieldsOf(value._def.inputs) });
  }
  cache.set(router, out);
  return out;
}

/** The operation `method` + `path` (below /api/v1) names, with its decoded path parameters. */
export function matchOperation(operations: RestOperation[], method: string, path: string): { operation: RestOperation; params: Record<string, string> } | { allowed: string[] } | null {
  const parts = path.split("/").filter(Boolean);
  const allowed: string[] = [];
  for (const operation of operations) {
    if (operation.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let fits = true;
    for (let i = 0; i < parts.length && fits; i++) {
      const segment = operation.segments[i]!;
      if ("literal" in segment) fits = segment.literal === parts[i];
      else {
        try {
          params[segment.param] = decodeURIComponent(parts[i]!);
        } catch {
          fits = false;
        }
      }
    }
    if (!fits) continue;
    if (operation.method === method) return { operation, params };
    allowed.push(operation.method);
  }
  return allowed.length ? { allowed } : null;
}

/** One text value (a path segment, a query value) as the input field's type: numbers and booleans from their text. */
export function valueFromText(operation: RestOperation, name: string, text: string): unknown {
  const kind = operation.fields[name] ?? "other";
  if (kind === "number") return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
  if (kind === "boolean") return text === "true" ? true : text === "false" ? false : text;
  return text;
}

/** Query-string values as the input's types: numbers and booleans from their text, lists repeated. */
export function inputFromQuery(operation: RestOperation, search: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const name of new Set(search.keys())) {
    const values = search.getAll(name);
    const kind = operation.fields[name] ?? "other";
    const one = values[values.length - 1]!;
    if (kind === "array") input[name] = values;
    else if (kind === "number") input[name] = one.trim() !== "" && Number.isFinite(Number(one)) ? Number(one) : one;
    else if (kind === "boolean") input[name] = one === "true" ? true : one === "false" ? false : one;
    else input[name] = one;
  }
  return input;
}
