/**
 * fast-check arbitraries from a procedure's input JSON Schema (derived from its zod inputs, the
 * same schema MCP clients see): "plausible" inputs that pass validation often enough to reach
 * deep code (known keys such as `orgId` take the seeded world's values), and hostile ones — wrong
 * types, boundary numbers, huge/NUL/surrogate strings, prototype keys, deep nesting, arrays
 * where objects are expected — either whole or planted at one spot of a plausible input.
 */
import fc from "fast-check";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
};

/** Values of the seeded world for inputs named like them (`orgId`, `projectId`, `slug`, …). */
export type Seeds = Record<string, unknown[]>;

/** `[[[…]]]` or `{a:{a:…}}`, `depth` levels deep. */
export function nested(depth: number, kind: "array" | "object"): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : { a: value };
  return value;
}

const PROTOTYPE_KEYS: unknown[] = [
  JSON.parse('{"__proto__": {"isAdmin": true, "role": "owner"}}'),
  JSON.parse('{"constructor": {"prototype": {"isAdmin": true}}}'),
  JSON.parse('{"__proto__": null, "toString": "x", "hasOwnProperty": 1, "valueOf": {}}'),
];

/** One hostile value, whatever the schema expects. */
export const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, 0, -1, 0.5, -0.000001, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53) - 1, 1e21, 1e308, -1e308, 5e-324,
    "", " ", "\u0000", "a\u0000b", "\ud800", "x\udc00", "\udbff\udbff", "𝟘\u0000𝟘", "\u202e\ufeff", "NaN", "Infinity", "-0",
    "'; drop table users; --", "\" or 1=1 --", "{{orgId}}", "${process.env}", "__proto__", "constructor", "../../etc/passwd", "%00", "\\", "\r\n\r\n",
    [], {}, [[]], [null], [{}], { length: 1e9 }, { "0": "a", length: 1 },
  ),
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("x".repeat(100_000), "\u0000".repeat(5_000), "é".repeat(70_000), "\ud800".repeat(3_000)),
  fc.integer({ min: 20, max: 1500 }).chain((depth) => fc.constantFrom<unknown>(nested(depth, "array"), nested(depth, "object"))),
  fc.array(fc.constantFrom<unknown>(1, "a", null, {}), { minLength: 0, maxLength: 5 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ["object"];
  return [];
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.format === "uuid") return fc.uuid();
  if (schema.format === "email") return fc.emailAddress();
  if (schema.format === "date-time") return fc.date({ min: new Date("2000-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }).map((d) => d.toISOString());
  const maxLength = Math.min(schema.maxLength ?? 40, 40);
  const minLength = Math.min(schema.minLength ?? 0, maxLength);
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot invert: plain strings (mostly refused, which is fine).
    }
  }
  return fc.string({ minLength, maxLength });
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<unknown> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000);
  const lo = Math.max(min, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max, Number.MAX_SAFE_INTEGER);
  const boundaries = fc.constantFrom(lo, hi);
  const inside = integer ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true });
  return fc.oneof({ weight: 3, arbitrary: inside }, { weight: 1, arbitrary: boundaries });
}

/**
 * Inputs shaped like `schema`, with seeded values for known keys (mostly; always with
 * `onlySeeds`): most pass validation.
 */
export function plausible(schema: JsonSchema, seeds: Seeds, key?: string, depth = 0, onlySeeds = false): fc.Arbitrary<unknown> {
  // A key's seeds are values of that name elsewhere; an enum (or const) under the same name
  // says exactly what this field takes, so it wins.
  const seeded = key && schema.enum === undefined && schema.const === undefined ? seeds[key] : undefined;
  if (seeded?.length && onlySeeds) return fc.constantFrom(...seeded);
  const generic = plausibleGeneric(schema, seeds, depth, onlySeeds);
  if (seeded?.length) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seeded) }, { weight: 1, arbitrary: generic });
  return generic;
}

function plausibleGeneric(schema: JsonSchema, seeds: Seeds, depth: number, onlySeeds: boolean): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options?.length) return fc.oneof(...options.map((option) => plausible(option, seeds, undefined, depth + 1, onlySeeds)));
  if (schema.allOf?.length) return plausible(schema.allOf[0]!, seeds, undefined, depth + 1, onlySeeds);
  const types = typesOf(schema);
  if (!types.length) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case "string":
          return stringArbitrary(schema);
        case "integer":
          return numberArbitrary(schema, true);
        case "number":
          return numberArbitrary(schema, false);
        case "boolean":
          return fc.boolean();
        case "null":
          return fc.constant(null);
        case "array":
          return fc.array(schema.items ? plausible(schema.items, seeds, undefined, depth + 1, onlySeeds) : fc.jsonValue({ maxDepth: 1 }), {
            minLength: Math.min(schema.minItems ?? 0, 3),
            maxLength: Math.max(Math.min(schema.maxItems ?? 3, 3), Math.min(schema.minItems ?? 0, 3)),
          });
        case "object":
          return objectArbitrary(schema, seeds, depth, onlySeeds);
        default:
          return fc.jsonValue({ maxDepth: 1 });
      }
    }),
  );
}

function objectArbitrary(schema: JsonSchema, seeds: Seeds, depth: number, onlySeeds: boolean): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, inner] of Object.entries(properties)) record[name] = plausible(inner, seeds, name, depth + 1, onlySeeds);
  const fixed = fc.record(record, { requiredKeys: Object.keys(properties).filter((name) => required.has(name)) });
  if (schema.additionalProperties && typeof schema.additionalProperties === "object" && !Object.keys(properties).length) {
    const values = plausible(schema.additionalProperties, seeds, undefined, depth + 1, onlySeeds);
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), values, { maxKeys: 3 });
  }
  return fixed;
}

type PathSegment = string | number;

function pathsOf(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (out.length > 200) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

/** A copy of `value` with `replacement` at `path` (the root when the path is empty). */
export function replaceAt(value: unknown, path: PathSegment[], replacement: unknown): unknown {
  if (!path.length) return replacement;
  const copy: unknown = structuredClone(value);
  let target = copy as Record<PathSegment, unknown>;
  for (const segment of path.slice(0, -1)) target = target[segment] as Record<PathSegment, unknown>;
  target[path[path.length - 1]!] = replacement;
  return copy;
}

/**
 * Hostile inputs for `schema`: a hostile value planted at one spot of a plausible input (most
 * often), a plausible input carrying prototype keys, or a hostile value instead of the input.
 */
export function hostile(schema: JsonSchema, seeds: Seeds): fc.Arbitrary<unknown> {
  const base = plausible(schema, seeds);
  const planted = fc.tuple(base, fc.nat(), hostileLeaf).map(([value, index, leaf]) => {
    const paths = pathsOf(value);
    return replaceAt(value, paths[index % paths.length]!, leaf);
  });
  const withPrototypeKeys = fc.tuple(base, fc.constantFrom(...PROTOTYPE_KEYS)).map(([value, extra]) =>
    value && typeof value === "object" && !Array.isArray(value) ? Object.assign(JSON.parse(JSON.stringify(extra)) as object, value) : value,
  );
  return fc.oneof({ weight: 6, arbitrary: planted }, { weight: 1, arbitrary: withPrototypeKeys }, { weight: 2, arbitrary: hostileLeaf });
}

/** Every string leaf of `value` by path (for planting NUL and lone surrogates field by field). */
export function stringPaths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  if (typeof value === "string") return [prefix];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...prefix, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...prefix, k]));
  return [];
}
