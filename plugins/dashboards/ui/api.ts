/**
 * The dashboards router as the browser half calls it (contract §3). Every shape the pages read
 * is the router's own output type (`RouterOutputs`), so a change on the server shows up here as
 * a type error, never as drift.
 */
import type { RouterOutputs } from "~/ui/data";
import { problemOf, type Problem } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

type Outputs = RouterOutputs["dashboards"];

export type DashboardSummary = Outputs["list"]["items"][number];
export type DashboardRecord = Outputs["get"];
export type RunOutput = Outputs["run"];
export type QueryResult = Outputs["preview"]["result"];
export type ColumnInfo = Extract<QueryResult, { ok: true }>["columns"][number];

/** One problem in a dashboard's YAML, as the editor lists and marks it. */
export type SpecError = Outputs["validate"]["errors"][number];

/** The procedures of the dashboards router. */
export const dashboardsApi = trpc.dashboards;

/** The structured errors of a rejected create/update (422), from `fieldErrors` keys `yaml.<path>`. */
export function specErrorsOf(problem: Problem): SpecError[] {
  const errors: SpecError[] = [];
  for (const [field, messages] of Object.entries(problem.fieldErrors)) {
    if (field !== "yaml" && !field.startsWith("yaml.")) continue;
    const path = field === "yaml" ? "" : field.slice(5);
    for (const message of messages) {
      if (field === "yaml" && problem.fieldErrors[`yaml.${path}`]) continue;
      errors.push({ code: "invalid", path, message, hint: "" });
    }
  }
  return errors;
}

/**
 * The version a refused save (409) says the dashboard is at now: the server names it in
 * `fieldErrors.version` ("The current version is 7"). Null when the answer does not say.
 */
export function currentVersionOf(problem: Problem): number | null {
  for (const message of problem.fieldErrors.version ?? []) {
    const match = /\d+/.exec(message);
    if (match) return Number(match[0]);
  }
  return null;
}

export { problemOf };
export type { Problem };

/** The data plugin's table list, for autocomplete and the visual builder. */
export type TableInfo = RouterOutputs["data"]["describeTables"]["tables"][number];

export async function describeTables(orgId: string, sourceId = "warehouse"): Promise<TableInfo[]> {
  const result = await trpc.data.describeTables.query({ orgId, sourceId });
  return result.tables;
}
