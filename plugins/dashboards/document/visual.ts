/**
 * Visual queries → PostgreSQL through Kysely's query compiler, without a connection (DummyDriver),
 * so it runs in the browser too (the chart builder shows the SQL live).
 *
 * Identifiers are allow-listed: the table and every column must appear in the given TableInfo[]
 * (from data.describeTables); output aliases match ^[a-z_][a-z0-9_]*$ and are quoted.
 *
 * Values: literal filter values become `$n` parameters. A filter value written as a variable
 * reference ("{{region}}", "{{period.start}}") stays in the SQL as that `{{…}}` placeholder, so
 * the result is ordinary dashboard SQL: bind it with
 * `bindVariables(sql, variables, values, parameters)`, which numbers the variables after the
 * literals. (A bare daterange in `between` becomes `{{p.start}} and {{p.end}}`; a multiselect in
 * `in` / `not_in` becomes `= any({{v}})` / `<> all({{v}})`.)
 */
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type AliasedRawBuilder,
  type Expression,
  type RawBuilder,
  type SqlBool,
} from "kysely";
import { joinPath, listOf, nearest, specError, type PathSegment, type SpecError } from "./errors";
import { issuesToErrors } from "./parse";
import { variableRefOf } from "./references";
import { dimensionAlias, measureAlias } from "./aliases";
import { DEFAULT_VISUAL_LIMIT, MAX_VISUAL_LIMIT, visualQuerySchema, type VisualQuery } from "./schema";

/** A column as data.describeTables returns it. */
export interface ColumnInfo {
  name: string;
  type: string;
}
/** A table as data.describeTables returns it. */
export interface TableInfo {
  schema?: string;
  name: string;
  columns: ColumnInfo[];
}

export type CompileResult = { ok: true; sql: string; parameters: unknown[] } | { ok: false; errors: SpecError[] };

/** The source's tables are known only at run time (checked against `TableInfo[]` above): any name, any column. */
type SourceTables = Record<string, Record<string, unknown>>;

let compilerDb: Kysely<SourceTables> | null = null;
function db(): Kysely<SourceTables> {
  compilerDb ??= new Kysely<SourceTables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return compilerDb;
}

/** Types date_trunc takes (date casts to timestamp implicitly); not `time` or `interval`. */
const TEMPORAL = /\b(date|timestamp|timestamptz)\b/i;
const NUMERIC = /\b(int|integer|smallint|bigint|int2|int4|int8|numeric|decimal|real|double|float|float4|float8|money|serial|bigserial)\b/i;
/** Types sum/avg refuse (interval sums fine, so it is not listed). */
const NON_NUMERIC = /\b(text|char|character|varchar|uuid|bool|boolean|json|jsonb|bytea|date|timestamp|timestamptz|time|inet|cidr)\b/i;

export function isTemporalType(type: string): boolean {
  return TEMPORAL.test(type);
}
export function isNumericType(type: string): boolean {
  return NUMERIC.test(type) || /double precision/i.test(type);
}

/** Finds a table by "name" or "schema.name"; a bare name must be unambiguous. */
function findTable(ref: string, tables: readonly TableInfo[]): TableInfo[] {
  const exact = tables.filter((t) => (t.schema ? `${t.schema}.${t.name}` : t.name) === ref);
  if (exact.length) return exact;
  return tables.filter((t) => t.name === ref);
}

function tableLabel(t: TableInfo): string {
  return t.schema && t.schema !== "public" ? `${t.schema}.${t.name}` : t.name;
}

export function compileVisual(q: VisualQuery, tables: TableInfo[], basePath: PathSegment[] = []): CompileResult {
  const errors: SpecError[] = [];
  const at = (...p: PathSegment[]) => [...basePath, ...p];
  // Callers may pass unvalidated input (an API request): check the shape before anything else.
  const parsed = visualQuerySchema.safeParse(q);
  if (!parsed.success) {
    const prefix = joinPath(basePath);
    return {
      ok: false,
      errors: issuesToErrors(parsed.error.issues, q, visualQuerySchema).map((e) => ({ ...e, path: [prefix, e.path].filter(Boolean).join(".") })),
    };
  }
  q = parsed.data;
  const matches = findTable(q.table, tables ?? []);
  if (matches.length !== 1) {
    const names = (tables ?? []).map(tableLabel);
    const near = nearest(q.table, names, 3);
    return {
      ok: false,
      errors: [
        specError(
          matches.length > 1 ? "invalid_value" : "unknown_reference",
          at("table"),
          matches.length > 1 ? `Table "${q.table}" exists in several schemas` : `Table "${q.table}" is not available in this source`,
          matches.length > 1
            ? `Qualify it: ${listOf(matches.map((t) => `${t.schema}.${t.name}`))}.`
            : near.length
              ? `Did you mean ${near.map((n) => `\`${n}\``).join(", ")}?`
              : names.length
                ? `Tables: ${listOf(names)}.`
                : "This source has no tables you can read.",
        ),
      ],
    };
  }
  const table = matches[0]!;
  const columns = new Map(table.columns.map((c) => [c.name, c]));
  const columnNames = table.columns.map((c) => c.name);
  const column = (name: unknown, path: PathSegment[]): ColumnInfo | null => {
    const found = typeof name === "string" ? columns.get(name) : undefined;
    if (found) return found;
    const near = typeof name === "string" ? nearest(name, columnNames, 3) : [];
    errors.push(
      specError(
        "unknown_reference",
        path,
        `Column ${JSON.stringify(name)} is not in table "${tableLabel(table)}"`,
        near.length ? `Did you mean ${near.map((n) => `\`${n}\``).join(", ")}?` : `Columns: ${listOf(columnNames)}.`,
      ),
    );
    return null;
  };

  const dims = q.dimensions ?? [];
  const measures = q.measures ?? [];
  if (!dims.length && !measures.length) {
    errors.push(specError("missing", at("dimensions"), "A visual query needs at least one dimension or measure", "Add `dimensions: [{ column: … }]` or `measures: [{ fn: count }]`."));
  }

  const selections: AliasedRawBuilder<unknown, string>[] = [];
  const groupBy: Expression<unknown>[] = [];
  const aliases = new Map<string, PathSegment[]>();
  const claimAlias = (alias: string, path: PathSegment[]) => {
    if (aliases.has(alias)) {
      errors.push(specError("duplicate_id", path, `Two outputs are named "${alias}"`, "Give one of them another name with `as:`."));
    }
    aliases.set(alias, path);
  };

  dims.forEach((d, i) => {
    const col = column(d.column, at("dimensions", i, "column"));
    if (!col) return;
    const alias = dimensionAlias(d);
    claimAlias(alias, at("dimensions", i, d.as ? "as" : "column"));
    let expr: RawBuilder<unknown> = sql`${sql.id(col.name)}`;
    if (d.truncate) {
      if (col.type && !isTemporalType(col.type)) {
        errors.push(specError("invalid_value", at("dimensions", i, "truncate"), `Column "${col.name}" is ${col.type}, not a date or timestamp`, "Remove `truncate`, or pick a date/timestamp column."));
      }
      // The unit is from an enum and inlined as a literal so GROUP BY matches the SELECT expression.
      expr = sql`date_trunc(${sql.lit(d.truncate)}, ${sql.id(col.name)})`;
    }
    selections.push(sql`${expr}`.as(alias));
    groupBy.push(expr);
  });

  measures.forEach((m, i) => {
    const alias = measureAlias(m);
    claimAlias(alias, at("measures", i, m.as ? "as" : "fn"));
    if (m.column === undefined) {
      if (m.fn !== "count") {
        errors.push(specError("missing", at("measures", i, "column"), `${m.fn} needs a column`, "Add `column: <name>`; only count may omit it."));
        return;
      }
      selections.push(sql`count(*)`.as(alias));
      return;
    }
    const col = column(m.column, at("measures", i, "column"));
    if (!col) return;
    if ((m.fn === "sum" || m.fn === "avg") && col.type && !isNumericType(col.type) && NON_NUMERIC.test(col.type)) {
      errors.push(specError("invalid_value", at("measures", i, "fn"), `${m.fn} needs a numeric column; "${col.name}" is ${col.type}`, "Use count, count_distinct, min or max, or pick a numeric column."));
    }
    const ref = sql.id(col.name);
    const expr =
      m.fn === "count_distinct" ? sql`count(distinct ${ref})` : m.fn === "count" ? sql`count(${ref})` : sql`${sql.raw(m.fn)}(${ref})`;
    selections.push(sql`${expr}`.as(alias));
  });

  const conditions: RawBuilder<SqlBool>[] = [];
  (q.filters ?? []).forEach((f, i) => {
    const col = column(f.column, at("filters", i, "column"));
    if (!col) return;
    const cond = filterCondition(f, sql.id(col.name), at("filters", i), errors);
    if (cond) conditions.push(cond);
  });

  const orderings: RawBuilder<unknown>[] = [];
  (q.sort ?? []).forEach((s, i) => {
    if (!aliases.has(s.by)) {
      const names = [...aliases.keys()];
      const near = nearest(s.by, names, 1);
      errors.push(
        specError(
          "unknown_reference",
          at("sort", i, "by"),
          `Sort names "${s.by}", which is not an output of this query`,
          near.length ? `Did you mean \`${near[0]}\`? Outputs: ${listOf(names)}.` : `Sort by an output: ${listOf(names)}.`,
        ),
      );
      return;
    }
    orderings.push(sql`${sql.id(s.by)} ${sql.raw(s.dir === "desc" ? "desc" : "asc")}`);
  });

  const limit = q.limit ?? DEFAULT_VISUAL_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_VISUAL_LIMIT) {
    errors.push(specError("invalid_value", at("limit"), `limit ${String(limit)} is out of range`, `Use a whole number from 1 to ${MAX_VISUAL_LIMIT}.`));
  }
  if (errors.length) return { ok: false, errors };

  let query = db()
    .selectFrom(table.schema ? `${table.schema}.${table.name}` : table.name)
    .select(selections);
  if (conditions.length) query = query.where(sql<SqlBool>`${sql.join(conditions, sql` and `)}`);
  if (measures.length && groupBy.length) query = query.groupBy(groupBy);
  for (const o of orderings) query = query.orderBy(o);
  query = query.limit(limit);
  const compiled = query.compile();
  return { ok: true, sql: compiled.sql, parameters: [...compiled.parameters] };
}

const COMPARE: Record<string, string> = { eq: "=", neq: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" };

function filterCondition(
  f: NonNullable<VisualQuery["filters"]>[number],
  col: RawBuilder<unknown>,
  path: PathSegment[],
  errors: SpecError[],
): RawBuilder<SqlBool> | null {
  // A `{{var}}` value stays a placeholder (validated by the document's reference check);
  // anything else is a bound parameter.
  const value = (v: unknown) => {
    const ref = variableRefOf(v);
    return ref ? sql.raw(`{{${ref.field ? `${ref.name}.${ref.field}` : ref.name}}}`) : sql.val(v);
  };
  const needValue = (): boolean => {
    if (f.value === undefined || f.value === null) {
      errors.push(specError("missing", [...path, "value"], `Filter "${f.op}" needs a value`, f.op === "eq" ? "Add `value:`, or use op: is_null." : "Add `value:`."));
      return false;
    }
    return true;
  };
  switch (f.op) {
    case "is_null":
      return sql<SqlBool>`${col} is null`;
    case "not_null":
      return sql<SqlBool>`${col} is not null`;
    case "eq":
    case "neq":
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      if (!needValue()) return null;
      if (Array.isArray(f.value)) {
        errors.push(specError("invalid_type", [...path, "value"], `Filter "${f.op}" compares with one value, not a list`, "Use op: in for a list of values."));
        return null;
      }
      return sql<SqlBool>`${col} ${sql.raw(COMPARE[f.op]!)} ${value(f.value)}`;
    case "contains":
      if (!needValue()) return null;
      if (Array.isArray(f.value)) {
        errors.push(specError("invalid_type", [...path, "value"], "contains takes one text value", "Give one string."));
        return null;
      }
      // strpos, not LIKE: the user's text is matched literally (no % or _ wildcards).
      return sql<SqlBool>`strpos(lower(${col}::text), lower(${value(f.value)})) > 0`;
    case "in":
    case "not_in": {
      if (!needValue()) return null;
      const not = f.op === "not_in";
      if (Array.isArray(f.value)) {
        if (!f.value.length) {
          errors.push(specError("invalid_value", [...path, "value"], `Filter "${f.op}" has an empty list`, "Give at least one value."));
          return null;
        }
        return sql<SqlBool>`${col} ${sql.raw(not ? "not in" : "in")} (${sql.join(f.value.map(value))})`;
      }
      if (variableRefOf(f.value)) return sql<SqlBool>`${col} ${sql.raw(not ? "<> all" : "= any")}(${value(f.value)})`;
      return sql<SqlBool>`${col} ${sql.raw(not ? "<>" : "=")} ${value(f.value)}`;
    }
    case "between": {
      if (!needValue()) return null;
      if (Array.isArray(f.value)) {
        if (f.value.length !== 2) {
          errors.push(specError("invalid_value", [...path, "value"], "between takes exactly two values", "Write value: [low, high]."));
          return null;
        }
        return sql<SqlBool>`${col} between ${value(f.value[0])} and ${value(f.value[1])}`;
      }
      const ref = variableRefOf(f.value);
      if (ref && !ref.field) {
        return sql<SqlBool>`${col} between ${sql.raw(`{{${ref.name}.start}}`)} and ${sql.raw(`{{${ref.name}.end}}`)}`;
      }
      errors.push(specError("invalid_value", [...path, "value"], "between needs [low, high] or a date range variable", 'Write value: [low, high] or value: "{{period}}".'));
      return null;
    }
  }
}
