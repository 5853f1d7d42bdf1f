/**
 * What a public link's page receives: an allow-list built field by field, never the document.
 * The title, description, layout and charts (without the name of the query behind each), the
 * variables the viewer sees (editable or fixed, with their choices), and each chart's rows, or
 * a plain "could not load" (never the database's message, the SQL or a source name).
 */
import type { Kernel } from "~/kernel/kernel";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";
import { TRPCError } from "@trpc/server";
import { FieldErrors } from "~/kernel/errors";
import { runPublishedDashboard, type Dashboard, type RunOutput, type Variable } from "../dashboards/published";
import type { OpenLink } from "./links";
import { applyPolicy, itemsOf, policyOf, same, staticOptions } from "./policy";

type Option = { value: unknown; label: string };

export interface PublicVariable {
  name: string;
  label: string;
  type: Variable["type"];
  editable: boolean;
  value: unknown;
  /** The choices offered (select and multi-select): the allowed list, else the variable's own. */
  options?: Option[];
}

export type PublicChart = Omit<NonNullable<Dashboard["charts"]>[number], "query">;

export type PublicResult = { ok: true; columns: { name: string; type: string }[]; rows: Record<string, unknown>[]; truncated: boolean } | { ok: false; message: string };

export interface PublicView {
  dashboard: { title: string; description: string | null; charts: PublicChart[]; layout: Dashboard["layout"] | null; variables: PublicVariable[] };
  results: Record<string, PublicResult>;
  exports: string[];
  expiresAt: string;
  ranAt: string;
}

/** The chart without the name of its query. */
function publicChart(chart: NonNullable<Dashboard["charts"]>[number]): PublicChart {
  const { query: _query, ...rest } = chart as typeof chart & { query?: string };
  return rest;
}

function labelFor(options: Option[] | undefined, value: unknown): string {
  return options?.find((o) => JSON.stringify(o.value) === JSON.stringify(value))?.label ?? String(value);
}

/**
 * A free select whose options come from a query: the viewer's value must be one of them. The
 * option queries run first (the author's saved SQL), the charts' only once the value passed.
 */
async function checkQueryOptions(scope: { kernel: Kernel; db: Kysely<KernelDatabase>; orgId: string; signal?: AbortSignal }, link: OpenLink, values: Record<string, unknown>) {
  const free = (link.dashboard.doc.variables ?? []).filter(
    (v) => (v.type === "select" || v.type === "multiselect") && policyOf(link.policy, v.name).mode === "free" && Object.hasOwn(values, v.name) && staticOptions(v) === null && (v as { options?: unknown }).options,
  );
  if (!free.length) return;
  const optionsRun = await runPublishedDashboard(scope, link.dashboard, values, { optionsOnly: true });
  const errors: Record<string, string[]> = {};
  for (const v of free) {
    const offered = optionsRun.variableOptions[v.name] ?? [];
    if (!itemsOf(v, values[v.name]).every((item) => offered.some((o) => same(o.value, item)))) errors[`variables.${v.name}`] = ["This value is not one of this variable's options"];
  }
  if (Object.keys(errors).length) {
    const [field, messages] = Object.entries(errors)[0]!;
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `${field}: ${messages[0]}`, cause: new FieldErrors(errors) });
  }
}

/**
 * Runs the link's dashboard with what the viewer sent, under the link's policy: a value the
 * policy refuses is a 422 before any query runs; the dashboard's own checks follow.
 */
export async function buildPublicView(
  scope: { kernel: Kernel; db: Kysely<KernelDatabase>; signal?: AbortSignal },
  link: OpenLink,
  given: Record<string, unknown>,
): Promise<{ view: PublicView; values: Record<string, unknown> }> {
  const doc = link.dashboard.doc;
  const variables = doc.variables ?? [];
  const { values, errors } = applyPolicy(variables, link.policy, link.clamp, given);
  if (Object.keys(errors).length) {
    const [field, messages] = Object.entries(errors)[0]!;
    throw new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: `${field}: ${messages[0]}`, cause: new FieldErrors(errors) });
  }
  await checkQueryOptions({ ...scope, orgId: link.orgId }, link, values);
  const run: RunOutput = await runPublishedDashboard({ ...scope, orgId: link.orgId }, link.dashboard, values);
  const results: Record<string, PublicResult> = {};
  for (const chart of doc.charts ?? []) {
    const queryId = (chart as { query?: string }).query;
    if (!queryId) continue;
    const result = run.results[queryId];
    results[chart.id] = result?.ok
      ? { ok: true, columns: result.columns.map((c) => ({ name: c.name, type: c.type })), rows: result.rows, truncated: result.truncated }
      : { ok: false, message: "This chart could not be loaded." };
  }
  const publicVariables: PublicVariable[] = variables.map((v) => {
    const policy = policyOf(link.policy, v.name);
    const own = run.variableOptions[v.name]?.map((o) => ({ value: o.value, label: o.label }));
    const value = run.variables[v.name] ?? null;
    // Only the choices the viewer has: a fixed variable's options (a query's rows, perhaps) stay out, but for its own value's label.
    const options =
      policy.mode === "allowed"
        ? policy.values.map((value) => ({ value, label: labelFor(own, value) }))
        : policy.mode === "locked"
          ? itemsOf(v, value).map((item) => ({ value: item, label: labelFor(own, item) }))
          : own;
    return {
      name: v.name,
      label: v.label ?? v.name,
      type: v.type,
      editable: policy.mode !== "locked",
      value,
      ...(options && (v.type === "select" || v.type === "multiselect") ? { options } : {}),
    };
  });
  return {
    values: run.variables,
    view: {
      dashboard: {
        title: doc.title,
        description: doc.description ?? null,
        charts: (doc.charts ?? []).map(publicChart),
        layout: doc.layout ?? null,
        variables: publicVariables,
      },
      results,
      exports: link.exports,
      expiresAt: link.expiresAt.toISOString(),
      ranAt: run.ranAt,
    },
  };
}
