/**
 * The dashboards router as the browser half calls it (contract §3), with the shapes the pages
 * read. Calls go through the app's typed tRPC client, assigned to the contract's shapes: if the
 * router's procedures stop fitting them, this file stops compiling.
 */
import { trpc } from "~/ui/trpc";
import { problemOf, type Problem } from "~/ui/problems";

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface SpecError {
  code: string;
  path: string;
  message: string;
  hint: string;
  line?: number;
  column?: number;
}

export type QueryResult =
  | { ok: true; columns: ColumnInfo[]; rows: Record<string, unknown>[]; truncated: boolean; ms: number; cached: boolean; ranAt: string }
  | { ok: false; error: { code: string; message: string; line?: number } };

export interface Person {
  id?: string;
  name: string;
  email: string;
}

export interface DashboardSummary {
  id: string;
  slug: string;
  title: string;
  description: string | null;
  tags: string[];
  version: number;
  updatedAt: string;
  updatedBy: Person | null;
  deletedAt: string | null;
}

export interface DashboardRecord {
  id: string;
  slug: string;
  title: string;
  yaml: string;
  version: number;
  tags: string[];
  updatedAt: string;
  deletedAt: string | null;
}

export interface RunOutput {
  ranAt: string;
  variables: Record<string, unknown>;
  variableOptions: Record<string, { value?: unknown; label: string }[]>;
  results: Record<string, QueryResult>;
}

export interface HistoryEntry {
  version: number;
  createdAt: string;
  author: Person | null;
  message: string | null;
}

export interface Scope {
  orgId: string;
  projectId: string;
}

interface Call<I, O> {
  query(input: I): Promise<O>;
}
interface Mutation<I, O> {
  mutate(input: I): Promise<O>;
}

/** The procedures the pages use, with the contract's shapes. */
interface DashboardsClient {
  list: Call<Scope & { search?: string; tag?: string; deleted?: boolean }, { items: DashboardSummary[] }>;
  tags: Call<Scope, { tags: string[] }>;
  get: Call<Scope & { slug: string }, DashboardRecord>;
  validate: Call<Scope & { yaml: string }, { ok: boolean; errors: SpecError[] }>;
  create: Mutation<Scope & { yaml: string; slug?: string }, { slug: string; version: number }>;
  update: Mutation<Scope & { slug: string; yaml: string; version: number; message?: string }, { slug: string; version: number }>;
  delete: Mutation<Scope & { slug: string }, { slug: string; deletedAt: string }>;
  restore: Mutation<Scope & { slug: string }, { slug: string }>;
  duplicate: Mutation<Scope & { slug: string; newSlug?: string; title?: string }, { slug: string; version: number }>;
  history: Call<Scope & { slug: string }, { versions: HistoryEntry[] }>;
  version: Call<Scope & { slug: string; version: number }, { version: number; yaml: string; createdAt: string }>;
  restoreVersion: Mutation<Scope & { slug: string; version: number; currentVersion: number }, { slug: string; version: number }>;
  run: Call<Scope & { slug: string; variables?: Record<string, unknown>; refresh?: boolean; queries?: string[] }, RunOutput>;
  preview: Call<
    Scope & { source?: string; sql?: string; visual?: unknown; variables?: unknown[]; values?: Record<string, unknown> },
    { sql: string; parameters: unknown[]; result: QueryResult }
  >;
}

/** `trpc.dashboards`, read through the contract's shapes (the router's inferred types must fit them: checked here). */
export const dashboardsApi: DashboardsClient = trpc.dashboards;

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

export { problemOf };
export type { Problem };

/** The data plugin's table list for autocomplete and the visual builder. */
export interface TableInfo {
  schema: string;
  name: string;
  kind?: string;
  columns: { name: string; type: string; nullable?: boolean }[];
}

export async function describeTables(orgId: string, sourceId = "warehouse"): Promise<TableInfo[]> {
  const result = await trpc.data.describeTables.query({ orgId, sourceId });
  return result.tables as TableInfo[];
}
