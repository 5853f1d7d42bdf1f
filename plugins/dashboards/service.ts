/**
 * Dashboards as stored documents: plain functions over a scoped database handle, no HTTP.
 *
 * A dashboard is its YAML text plus what the list pages need from it (title, description, tags),
 * a project-unique slug and a version number. Every save writes the dashboard row and an
 * immutable version row in the caller's transaction, guarded by `where version = :expected`
 * (optimistic versioning: a stale save is a 409 naming the current version and who saved it).
 * Deletion is soft. Events (`dashboard.created/updated/deleted`) are emitted in the same
 * transaction, so listeners hear of a change only if it was committed.
 */
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Expression, type Generated, type Kysely, type Selectable, type SqlBool } from "kysely";
import { parseDocument } from "yaml";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { FieldErrors, fieldError } from "~/kernel/errors";
import { likePattern } from "~/kernel/paging";
import { parseBoard, type BoardFormat, type Dashboard, type SpecError } from "./document";
import "./events";

/* ---------------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------------ */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
/** The plugin's tables (migrations/2026-12-02-001-dashboards.ts). Kernel tables come from `KernelDatabase`. */
export type DashboardsTables = {
  dashboards_dashboards: {
    id: Generated<string>;
    org_id: string;
    project_id: string;
    slug: string;
    title: string;
    description: Generated<string>;
    tags: ColumnType<string[], string[] | undefined, string[]>;
    yaml: string;
    format: ColumnType<BoardFormat, BoardFormat | undefined, never>;
    version: number;
    created_by: string | null;
    updated_by: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
    deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
  dashboards_versions: {
    org_id: string;
    dashboard_id: string;
    version: number;
    yaml: string;
    author_id: string | null;
    message: Generated<string>;
    created_at: Timestamp;
  };
  /** migrations/2026-12-08-001-board-sources.ts: dbt Charts source names → the org's data sources, per project. */
  dashboards_board_sources: {
    org_id: string;
    project_id: string;
    name: string;
    source_id: string;
    updated_by: string | null;
    updated_at: Timestamp;
  };
};

/** A stored dashboard as selected. */
export type DashboardRow = Selectable<DashboardsTables["dashboards_dashboards"]>;

type Db = Kysely<KernelDatabase & DashboardsTables>;

/** The kernel's tables and the plugin's, on any kernel handle (a request's transaction, `kernel.withScope`). */
export function dashboardsDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<DashboardsTables>();
}

/** Who is acting, where. `db` must be a transaction under the org's scope (a request's, or `kernel.withScope`). */
export interface DashboardScope {
  kernel: Kernel;
  db: Kysely<KernelDatabase>;
  orgId: string;
  projectId: string;
  /** The acting person (null for the system, e.g. an import by an operator). */
  userId: string | null;
}

/* ---------------------------------------------------------------------------------------------
 * Shapes callers see
 * ------------------------------------------------------------------------------------------ */

export interface DashboardSummary {
  id: string;
  slug: string;
  title: string;
  description: string;
  tags: string[];
  version: number;
  updatedAt: string;
  updatedBy: { name: string; email: string } | null;
  deletedAt: string | null;
}

export interface DashboardDetail {
  id: string;
  slug: string;
  title: string;
  description: string;
  yaml: string;
  /** The YAML's format: Atrium's own document, or a dbt Charts board. */
  format: BoardFormat;
  /** For a dbt Charts board, the board as Atrium reads it (Atrium's document), its sources mapped through the project's mapping. */
  document?: Dashboard;
  /** For a dbt Charts board, the source names it reads from that the project has not mapped to a data source. */
  unmappedSources?: string[];
  version: number;
  tags: string[];
  updatedAt: string;
  updatedBy: { name: string; email: string } | null;
  deletedAt: string | null;
}

/* ---------------------------------------------------------------------------------------------
 * The document
 * ------------------------------------------------------------------------------------------ */

export const MAX_YAML_LENGTH = 500_000;

/** "line 3, column 7: charts.0.type: Unknown chart type "pi" (Use one of: bar, line, …)". */
export function describeSpecError(e: SpecError): string {
  const where = e.line ? `line ${e.line}${e.column ? `, column ${e.column}` : ""}: ` : "";
  const path = e.path ? `${e.path}: ` : "";
  const hint = e.hint && !e.message.includes(e.hint) ? ` (${e.hint})` : "";
  return `${where}${path}${e.message}${hint}`;
}

/** Carries the structured errors of an invalid document beside the field errors. */
export class DashboardSpecErrors extends FieldErrors {
  constructor(readonly errors: SpecError[]) {
    const fields: Record<string, string[]> = { yaml: errors.map(describeSpecError) };
    for (const e of errors) if (e.path) (fields[`yaml.${e.path}`] ??= []).push(e.message + (e.hint ? ` ${e.hint}` : ""));
    super(fields);
  }
}

/** The 422 an invalid document answers with: `fieldErrors.yaml` (every error) and `yaml.<path>` per error. */
export function invalidDocument(errors: SpecError[]): TRPCError {
  const shown = errors.slice(0, 5).map(describeSpecError);
  const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : "";
  const message = `The dashboard YAML has ${errors.length === 1 ? "an error" : `${errors.length} errors`}: ${shown.join("; ")}${more}`;
  return new TRPCError({ code: "UNPROCESSABLE_CONTENT", message, cause: new DashboardSpecErrors(errors) });
}

/** Parses the YAML in its format (a board's source names through `sources`) or throws the 422 naming each error. */
export function parseOrThrow(yaml: string, format: BoardFormat = "atrium", sources?: Readonly<Record<string, string>>): Dashboard {
  const parsed = parseBoard(yaml, format, sources ? { sources } : {});
  if (!parsed.ok) throw invalidDocument(parsed.errors);
  return parsed.doc;
}

function metadataOf(doc: Dashboard): { title: string; description: string; tags: string[] } {
  const d = doc as { title: string; description?: string | null; tags?: string[] | null };
  return { title: d.title, description: d.description ?? "", tags: [...new Set(d.tags ?? [])] };
}

/* ---------------------------------------------------------------------------------------------
 * Slugs
 * ------------------------------------------------------------------------------------------ */

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SLUG_MESSAGE = "Use 1–64 lower-case letters, digits and hyphens, not starting or ending with a hyphen";
/** Slugs that read as pages of the dashboards section rather than a dashboard. */
const RESERVED_SLUGS = new Set(["new", "edit", "history"]);

/** A url name from a title: "Revenue — EMEA (weekly)" → "revenue-emea-weekly". */
export function slugify(title: string): string {
  const base = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return base && !RESERVED_SLUGS.has(base) ? base : `dashboard${base ? `-${base}` : ""}`;
}

/** Checks a slug someone chose; 422 on the `field` otherwise. */
export function checkSlug(slug: string, field = "slug"): string {
  if (!SLUG.test(slug)) throw fieldError("UNPROCESSABLE_CONTENT", field, SLUG_MESSAGE);
  if (RESERVED_SLUGS.has(slug)) throw fieldError("UNPROCESSABLE_CONTENT", field, `"${slug}" is reserved; choose another`);
  return slug;
}

/** `base`, or `base-2`, `base-3`… the first not taken by a live dashboard of the project. */
async function freeSlug(db: Db, projectId: string, base: string): Promise<string> {
  const rows = await db
    .selectFrom("dashboards_dashboards")
    .select("slug")
    .where("project_id", "=", projectId)
    .where("deleted_at", "is", null)
    .where((eb) => eb.or([eb("slug", "=", base), eb("slug", "like", `${base.replace(/[\\%_]/g, "\\$&")}-%`)]))
    .execute();
  const taken = new Set(rows.map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base.slice(0, 63 - String(n).length)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}

/** Runs `fn` inside a savepoint, so a unique violation leaves the transaction usable. */
async function inSavepoint<T>(db: Kysely<KernelDatabase>, name: string, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint ${sql.raw(name)}`.execute(db);
  try {
    const result = await fn();
    await sql`release savepoint ${sql.raw(name)}`.execute(db);
    return result;
  } catch (err) {
    await sql`rollback to savepoint ${sql.raw(name)}`.execute(db);
    throw err;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------ */

function notFound(slug: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `No dashboard "${slug}" in this project.` });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The live dashboard at `slug`, else (with `includeDeleted`) the one deleted most recently. */
export async function findDashboard(s: DashboardScope, slug: string, options: { includeDeleted?: boolean } = {}): Promise<DashboardRow> {
  let q = dashboardsDb(s.db)
    .selectFrom("dashboards_dashboards")
    .selectAll()
    .where("org_id", "=", s.orgId)
    .where("project_id", "=", s.projectId)
    .where("slug", "=", slug);
  if (!options.includeDeleted) q = q.where("deleted_at", "is", null);
  const row = await q
    .orderBy(sql`deleted_at is null`, "desc")
    .orderBy("deleted_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row) throw notFound(slug);
  return row;
}

async function personOf(db: Db, userId: string | null): Promise<{ id: string; name: string; email: string } | null> {
  if (!userId) return null;
  const user = await db.selectFrom("users").select(["id", "name", "email"]).where("id", "=", userId).executeTakeFirst();
  return user ?? null;
}

/** The built-in warehouse answers to its own name unless the project maps the name elsewhere. */
const DEFAULT_BOARD_SOURCES: Readonly<Record<string, string>> = { warehouse: "warehouse" };

/**
 * The project's mapping of dbt Charts source names to data source ids (`warehouse` → the
 * built-in warehouse unless mapped). A board's queries run on the source its name maps to.
 */
export async function boardSourceMapping(s: Pick<DashboardScope, "db" | "orgId" | "projectId">): Promise<Record<string, string>> {
  const rows = await dashboardsDb(s.db)
    .selectFrom("dashboards_board_sources")
    .select(["name", "source_id"])
    .where("org_id", "=", s.orgId)
    .where("project_id", "=", s.projectId)
    .execute();
  return { ...DEFAULT_BOARD_SOURCES, ...Object.fromEntries(rows.map((r) => [r.name, r.source_id])) };
}

/** Boards as read, by dashboard id, version and source mapping: a version's YAML never changes, so neither does its reading. */
const readBoards = new Map<string, { document?: Dashboard; unmappedSources: string[] }>();

/** A stored board of another format as Atrium's document (undefined when it no longer reads: the view then shows the errors on save). */
function documentOf(row: { id: string; version: number; yaml: string; format: BoardFormat }, sources: Record<string, string>): { document?: Dashboard; unmappedSources: string[] } {
  const key = `${row.id}:${row.version}:${JSON.stringify(sources)}`;
  let read = readBoards.get(key);
  if (!read) {
    const parsed = parseBoard(row.yaml, row.format, { sources });
    read = parsed.ok ? { document: parsed.doc, unmappedSources: parsed.unmappedSources } : { unmappedSources: [] };
    readBoards.set(key, read);
    if (readBoards.size > 200) readBoards.delete(readBoards.keys().next().value!);
  }
  return read;
}

export async function getDashboard(s: DashboardScope, slug: string): Promise<DashboardDetail> {
  // The live dashboard, else the most recently deleted one, with who saved it last: one round trip.
  const found = await dashboardsDb(s.db)
    .selectFrom("dashboards_dashboards as d")
    .leftJoin("users as u", "u.id", "d.updated_by")
    .selectAll("d")
    .select(["u.name as updated_by_name", "u.email as updated_by_email"])
    .where("d.org_id", "=", s.orgId)
    .where("d.project_id", "=", s.projectId)
    .where("d.slug", "=", slug)
    .orderBy(sql`d.deleted_at is null`, "desc")
    .orderBy("d.deleted_at", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!found) throw notFound(slug);
  const row = found;
  const updatedBy = row.updated_by_name !== null && row.updated_by_email !== null ? { name: row.updated_by_name, email: row.updated_by_email } : null;
  const document = row.format === "atrium" ? {} : documentOf(row, await boardSourceMapping(s));
  // Joined with Object.assign, in this key order: a literal with properties after a spread is
  // V8's slow path on Node 20 (docs/decisions/043-no-spread-with-extras-on-hot-paths.md).
  return Object.assign(
    { id: row.id, slug: row.slug, title: row.title, description: row.description, yaml: row.yaml, format: row.format },
    document,
    { version: row.version, tags: row.tags, updatedAt: row.updated_at.toISOString(), updatedBy, deletedAt: iso(row.deleted_at) },
  );
}

function summaryColumns(db: Db) {
  return db
    .selectFrom("dashboards_dashboards as d")
    .leftJoin("users as u", "u.id", "d.updated_by")
    .select([
      "d.id",
      "d.slug",
      "d.title",
      "d.description",
      "d.tags",
      "d.version",
      "d.updated_at",
      "d.deleted_at",
      "d.project_id",
      "u.name as updated_by_name",
      "u.email as updated_by_email",
    ]);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryColumns>["execute"]>>[number];

function summaryOf(r: SummaryRow): DashboardSummary {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    description: r.description,
    tags: r.tags,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by_email ? { name: r.updated_by_name ?? "", email: r.updated_by_email } : null,
    deletedAt: iso(r.deleted_at),
  };
}

/** The project's dashboards (or its deleted ones), most recently changed first. */
/** The most dashboards one page of a list holds. */
export const LIST_PAGE_MAX = 200;

/** Where a page of a list ends: the sort key of its last row, exact to the microsecond. */
interface ListCursor {
  at: string;
  slug: string;
}

function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.slug])).toString("base64url");
}

function decodeCursor(text: string): ListCursor {
  try {
    const [at, slug] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as unknown[];
    if (typeof at === "string" && typeof slug === "string" && !Number.isNaN(Date.parse(at)) && slug.length <= 64) return { at, slug };
  } catch {
    // falls through to the field error
  }
  throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "This cursor is not one a list returned; start again without it.");
}

/** Every field a search looks in, as one lower-case text (the trigram index is on the same expression). */
function searchText() {
  return sql<string>`dashboards_search_text(d.title, d.slug, d.description, d.tags)`;
}

/** A search's words (at most eight; the rest of the text is ignored): a dashboard matches when it has every one. */
export function searchWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean).slice(0, 8);
}

/** Every word of `text` somewhere in the searched fields, each a condition the trigram index answers. */
function matchesEveryWord(text: string) {
  return sql<boolean>`(${sql.join(
    searchWords(text).map((word) => sql`${searchText()} ilike ${likePattern(word)}`),
    sql` and `,
  )})`;
}

/**
 * Reads summaries by id in the caller's scope (under row-level security), in the ids' order. The
 * second half of a search: a wrong id could only make a row disappear, never appear.
 */
async function summariesById(s: { db: Kysely<KernelDatabase>; orgId: string }, ids: string[]) {
  if (!ids.length) return [];
  const rows = await summaryColumns(dashboardsDb(s.db)).where("d.org_id", "=", s.orgId).where("d.id", "in", ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The first half of a search, on the owner's connection. Under row-level security PostgreSQL
 * may not use a non-leakproof operator such as ILIKE as an index condition (it runs only after
 * the policy's check, row by row), so a trigram search in the caller's scope reads every row of
 * the table. The lookup therefore runs without the policy, and every caller filters it
 * explicitly by the caller's org and the projects the procedure allowed; only the ids of what it
 * finds are used: the rows are read back in the caller's scope (`summariesById`).
 */
function searchLookup(s: { kernel: Kernel }) {
  return summaryColumns(dashboardsDb(s.kernel.ownerDb));
}

/**
 * A page of the project's dashboards (or of its deleted ones), most recently changed first, and
 * the cursor of the next page (null on the last). Keyset paging on an index that fits the sort:
 * page 1 and page 1,000 cost the same, however many dashboards the project holds; a search goes
 * through the trigram index (see `searchLookup`).
 */
export async function listDashboards(
  s: DashboardScope,
  input: { search?: string; tag?: string; deleted?: boolean; limit?: number; cursor?: string },
): Promise<{ items: DashboardSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit ?? 100), LIST_PAGE_MAX);
  const sortColumn = input.deleted ? sql.ref("d.deleted_at") : sql.ref("d.updated_at");
  const search = input.search?.trim();
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  let q = (search ? searchLookup(s) : summaryColumns(dashboardsDb(s.db)))
    .select(sql<string>`${sortColumn}::text`.as("sort_at"))
    .where("d.org_id", "=", s.orgId)
    .where("d.project_id", "=", s.projectId);
  q = input.deleted ? q.where("d.deleted_at", "is not", null) : q.where("d.deleted_at", "is", null);
  if (search) q = q.where(matchesEveryWord(search));
  if (input.tag) q = q.where(sql<boolean>`${input.tag} = any(d.tags)`);
  if (after) q = q.where(sql<boolean>`(${sortColumn} < ${after.at}::timestamptz or (${sortColumn} = ${after.at}::timestamptz and d.slug > ${after.slug}))`);
  const hits = await q
    .orderBy(sql`${sortColumn} desc`)
    .orderBy("d.slug")
    .limit(limit + 1)
    .execute();
  const page = hits.slice(0, limit);
  const last = page[page.length - 1];
  // A search's rows are read again in the caller's scope; a plain list was read there already.
  const rows = search ? await summariesById(s, page.map((h) => h.id)) : page;
  return { items: rows.map(summaryOf), nextCursor: hits.length > limit && last ? encodeCursor({ at: last.sort_at, slug: last.slug }) : null };
}

/** Every tag used by the project's live dashboards, sorted. */
export async function listTags(s: DashboardScope): Promise<string[]> {
  const rows = await sql<{ tag: string }>`select distinct unnest(tags) as tag from dashboards_dashboards
    where org_id = ${s.orgId} and project_id = ${s.projectId} and deleted_at is null order by 1`.execute(s.db);
  return rows.rows.map((r) => r.tag);
}

export interface ProjectDashboardSummary extends DashboardSummary {
  projectId: string;
  projectSlug: string;
  projectName: string;
}

/**
 * Live dashboards the caller reaches (`reach`: a condition on `d.project_id` and `d.id` the router
 * asks the kernel for, `reachCondition`), in live projects (archived ones only with
 * `includeArchived`): matching `query` (search) or all (recent). The reach is checked on each row
 * read, so the call costs the same in an org of 10 projects or 1,000.
 */
export async function searchOrg(
  s: { kernel: Kernel; db: Kysely<KernelDatabase> },
  reach: Expression<SqlBool>,
  input: { orgId: string; query?: string; projectId?: string; limit: number; includeArchived: boolean },
): Promise<ProjectDashboardSummary[]> {
  const text = input.query?.trim();
  let q = (text ? searchLookup(s) : summaryColumns(dashboardsDb(s.db)))
    .innerJoin("projects as p", "p.id", "d.project_id")
    .select(["p.slug as project_slug", "p.name as project_name"])
    .where("d.org_id", "=", input.orgId)
    .where("p.org_id", "=", input.orgId)
    .where("d.deleted_at", "is", null)
    .where("p.deleted_at", "is", null)
    .where(reach);
  if (!input.includeArchived) q = q.where("p.archived_at", "is", null);
  if (input.projectId) q = q.where("d.project_id", "=", input.projectId);
  if (text) {
    q = q.where(matchesEveryWord(text));
    // The words as written in the title first, then the most recently changed.
    q = q.orderBy(sql`(d.title ilike ${likePattern(text)})`, "desc");
  }
  const hits = await q.orderBy("d.updated_at", "desc").orderBy("d.slug").limit(input.limit).execute();
  const projectOf = new Map(hits.map((h) => [h.id, { projectId: h.project_id, projectSlug: h.project_slug, projectName: h.project_name }]));
  // A search's rows are read again in the caller's scope, under row-level security.
  const rows = text ? await summariesById({ db: s.db, orgId: input.orgId }, hits.map((h) => h.id)) : hits;
  return rows.flatMap((r) => {
    const project = projectOf.get(r.id);
    return project && project.projectId === r.project_id ? [{ ...summaryOf(r), ...project }] : [];
  });
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------ */

async function insertVersion(s: DashboardScope, dashboardId: string, version: number, yaml: string, message: string): Promise<void> {
  await dashboardsDb(s.db)
    .insertInto("dashboards_versions")
    .values({ org_id: s.orgId, dashboard_id: dashboardId, version, yaml, author_id: s.userId, message })
    .execute();
}

/** Creates a dashboard from its YAML at `slug` (derived from the title when absent), version 1. */
export async function createDashboard(
  s: DashboardScope,
  input: { yaml: string; slug?: string; message?: string; format?: BoardFormat },
): Promise<{ id: string; slug: string; version: number; title: string }> {
  const explicit = input.slug !== undefined ? checkSlug(input.slug) : null;
  const format = input.format ?? "atrium";
  const doc = parseOrThrow(input.yaml, format);
  const meta = metadataOf(doc);
  const db = dashboardsDb(s.db);
  let row: { id: string; slug: string } | undefined;
  for (let attempt = 0; !row; attempt++) {
    const slug = explicit ?? (await freeSlug(db, s.projectId, slugify(meta.title)));
    try {
      row = await inSavepoint(s.db, "dashboards_create", () =>
        db
          .insertInto("dashboards_dashboards")
          .values({
            org_id: s.orgId,
            project_id: s.projectId,
            slug,
            ...meta,
            yaml: input.yaml,
            format,
            version: 1,
            created_by: s.userId,
            updated_by: s.userId,
          })
          .returning(["id", "slug"])
          .executeTakeFirstOrThrow(),
      );
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Someone took the slug between our look and our insert: a chosen slug is a conflict; a derived one moves on.
      if (explicit || attempt >= 5) throw fieldError("CONFLICT", "slug", `A dashboard at "${slug}" already exists in this project; choose another slug.`);
    }
  }
  await insertVersion(s, row.id, 1, input.yaml, input.message ?? "Created");
  await s.kernel.events.emit(
    "dashboard.created",
    { dashboardId: row.id, projectId: s.projectId, slug: row.slug, version: 1, actorId: s.userId, restored: false },
    { orgId: s.orgId, db: s.db },
  );
  return { id: row.id, slug: row.slug, version: 1, title: meta.title };
}

function conflictMessage(slug: string, current: { version: number; updated_at: Date }, by: { name: string; email: string } | null): string {
  const who = by ? `${by.name || by.email}` : "someone";
  return `Dashboard "${slug}" was changed (version ${current.version}, saved by ${who} at ${current.updated_at.toISOString()}) since the version you edited. Get it again and reapply your change.`;
}

/**
 * Says more about a refused (stale) save when another plugin knows where the newer version came
 * from (git sync: the commit it imported). Read-only: it runs in the refused request's transaction.
 */
export type StaleSaveExplainer = (
  s: DashboardScope,
  stale: { slug: string; dashboardId: string; edited: number; current: number },
) => Promise<{ message: string; fields: Record<string, string[]> } | null>;

const staleSaveExplainers = new WeakMap<Kernel, StaleSaveExplainer[]>();

/** Registers `explain` for `kernel`'s refused saves (a plugin's init). */
export function onStaleSave(kernel: Kernel, explain: StaleSaveExplainer): void {
  staleSaveExplainers.set(kernel, [...(staleSaveExplainers.get(kernel) ?? []), explain]);
}

async function staleSaveError(s: DashboardScope, slug: string, edited: number): Promise<TRPCError> {
  const now = await findDashboard(s, slug);
  for (const explain of staleSaveExplainers.get(s.kernel) ?? []) {
    const said = await explain(s, { slug, dashboardId: now.id, edited, current: now.version });
    if (said) return new TRPCError({ code: "CONFLICT", message: said.message, cause: new FieldErrors({ ...said.fields, version: [`The current version is ${now.version}`] }) });
  }
  const by = await personOf(dashboardsDb(s.db), now.updated_by);
  return new TRPCError({ code: "CONFLICT", message: conflictMessage(slug, now, by), cause: new FieldErrors({ version: [`The current version is ${now.version}`] }) });
}

/** Saves a new version of the dashboard at `slug`; `version` is the one the caller edited (409 when stale). */
export async function updateDashboard(
  s: DashboardScope,
  input: { slug: string; yaml: string; version: number; message?: string },
): Promise<{ id: string; slug: string; version: number; title: string }> {
  const current = await findDashboard(s, input.slug);
  const doc = parseOrThrow(input.yaml, current.format);
  const meta = metadataOf(doc);
  const db = dashboardsDb(s.db);
  const updated = await db
    .updateTable("dashboards_dashboards")
    .set({ ...meta, yaml: input.yaml, version: sql<number>`version + 1`, updated_by: s.userId, updated_at: sql<Date>`now()` })
    .where("id", "=", current.id)
    .where("org_id", "=", s.orgId)
    .where("version", "=", input.version)
    .where("deleted_at", "is", null)
    .returning(["id", "slug", "version"])
    .executeTakeFirst();
  if (!updated) throw await staleSaveError(s, input.slug, input.version);
  await insertVersion(s, updated.id, updated.version, input.yaml, input.message ?? "");
  await s.kernel.events.emit(
    "dashboard.updated",
    { dashboardId: updated.id, projectId: s.projectId, slug: updated.slug, version: updated.version, actorId: s.userId },
    { orgId: s.orgId, db: s.db },
  );
  return { id: updated.id, slug: updated.slug, version: updated.version, title: meta.title };
}

/** Soft-deletes the live dashboard at `slug`. */
export async function deleteDashboard(s: DashboardScope, slug: string): Promise<{ id: string; slug: string; deletedAt: string; title: string }> {
  const row = await findDashboard(s, slug);
  const deleted = await dashboardsDb(s.db)
    .updateTable("dashboards_dashboards")
    .set({ deleted_at: sql<Date>`now()` })
    .where("id", "=", row.id)
    .where("org_id", "=", s.orgId)
    .where("deleted_at", "is", null)
    .returning(["deleted_at"])
    .executeTakeFirst();
  if (!deleted?.deleted_at) throw notFound(slug);
  await s.kernel.events.emit("dashboard.deleted", { dashboardId: row.id, projectId: s.projectId, slug: row.slug, actorId: s.userId }, { orgId: s.orgId, db: s.db });
  return { id: row.id, slug: row.slug, deletedAt: deleted.deleted_at.toISOString(), title: row.title };
}

/** Brings back the most recently deleted dashboard at `slug` (409 when a live one took the slug since). */
export async function restoreDashboard(s: DashboardScope, slug: string): Promise<{ id: string; slug: string; version: number }> {
  const row = await findDashboard(s, slug, { includeDeleted: true });
  if (!row.deleted_at) throw new TRPCError({ code: "CONFLICT", message: `Dashboard "${slug}" is not deleted.` });
  try {
    await inSavepoint(s.db, "dashboards_restore", () =>
      dashboardsDb(s.db)
        .updateTable("dashboards_dashboards")
        .set({ deleted_at: null, updated_at: sql<Date>`now()`, updated_by: s.userId })
        .where("id", "=", row.id)
        .where("org_id", "=", s.orgId)
        .execute(),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw fieldError("CONFLICT", "slug", `Another dashboard now lives at "${slug}"; rename or delete it before restoring this one.`);
  }
  await s.kernel.events.emit(
    "dashboard.created",
    { dashboardId: row.id, projectId: s.projectId, slug: row.slug, version: row.version, actorId: s.userId, restored: true },
    { orgId: s.orgId, db: s.db },
  );
  return { id: row.id, slug: row.slug, version: row.version };
}

/** The YAML with its top-level `title` replaced, comments and layout kept. */
export function withTitle(yaml: string, title: string): string {
  const doc = parseDocument(yaml);
  doc.set("title", title);
  return doc.toString();
}

/** Copies the live dashboard at `slug` into a new one (its title gets " (copy)" unless given). */
export async function duplicateDashboard(
  s: DashboardScope,
  input: { slug: string; newSlug?: string; title?: string },
): Promise<{ id: string; slug: string; version: number; title: string }> {
  const source = await findDashboard(s, input.slug);
  const title = input.title ?? `${source.title} (copy)`.slice(0, 200);
  return createDashboard(s, { yaml: withTitle(source.yaml, title), slug: input.newSlug, format: source.format, message: `Duplicated from ${source.slug} (version ${source.version})` });
}

/** Every saved version of the dashboard, newest first. */
/** The most versions one page of a dashboard's history holds. */
export const HISTORY_PAGE_MAX = 200;

/** A saved version as the history lists it. */
export type VersionSummary = {
  version: number;
  createdAt: string;
  author: { id: string; name: string; email: string } | null;
  message: string;
};

/**
 * A page of a dashboard's saved versions, newest first, and the cursor of the next (older) page,
 * null on the last. The cursor is the last version of the page: the page after it walks the
 * primary key `(dashboard_id, version)` backwards from there, so page 1 and page 1,000 cost the
 * same however often the dashboard was saved (agents and git sync save a lot).
 */
export async function listVersions(
  s: DashboardScope,
  slug: string,
  page: { limit?: number; cursor?: string } = {},
): Promise<{ versions: VersionSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, page.limit ?? 50), HISTORY_PAGE_MAX);
  const before = page.cursor === undefined ? null : versionCursor(page.cursor);
  const row = await findDashboard(s, slug, { includeDeleted: true });
  let q = dashboardsDb(s.db)
    .selectFrom("dashboards_versions as v")
    .leftJoin("users as u", "u.id", "v.author_id")
    .select(["v.version", "v.created_at", "v.message", "u.id as author_id", "u.name as author_name", "u.email as author_email"])
    .where("v.org_id", "=", s.orgId)
    .where("v.dashboard_id", "=", row.id);
  if (before !== null) q = q.where("v.version", "<", before);
  const rows = await q
    .orderBy("v.version", "desc")
    .limit(limit + 1)
    .execute();
  const versions = rows.slice(0, limit).map((v) => ({
    version: v.version,
    createdAt: v.created_at.toISOString(),
    author: v.author_id ? { id: v.author_id, name: v.author_name ?? "", email: v.author_email ?? "" } : null,
    message: v.message,
  }));
  const last = versions[versions.length - 1];
  return { versions, nextCursor: rows.length > limit && last ? String(last.version) : null };
}

/** A history cursor (a version number, as a page gave it), or a 422 on `cursor`. */
function versionCursor(text: string): number {
  const version = /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(version) || version > 2_147_483_647) {
    throw fieldError("UNPROCESSABLE_CONTENT", "cursor", "This cursor is not one the history returned; start again without it.");
  }
  return version;
}

export async function getVersion(s: DashboardScope, slug: string, version: number): Promise<{ version: number; yaml: string; createdAt: string }> {
  const row = await findDashboard(s, slug, { includeDeleted: true });
  const v = await dashboardsDb(s.db)
    .selectFrom("dashboards_versions")
    .select(["version", "yaml", "created_at"])
    .where("org_id", "=", s.orgId)
    .where("dashboard_id", "=", row.id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!v) throw new TRPCError({ code: "NOT_FOUND", message: `Dashboard "${slug}" has no version ${version}.` });
  return { version: v.version, yaml: v.yaml, createdAt: v.created_at.toISOString() };
}

/** Saves an old version's YAML as a new version (history is never rewritten). */
export async function restoreVersion(
  s: DashboardScope,
  input: { slug: string; version: number; currentVersion: number },
): Promise<{ id: string; slug: string; version: number; title: string }> {
  const old = await getVersion(s, input.slug, input.version);
  return updateDashboard(s, { slug: input.slug, yaml: old.yaml, version: input.currentVersion, message: `Restored version ${input.version}` });
}

/**
 * The YAML is parsed, never trusted: `{ ok, errors }` for the editor and agents; for a dbt Charts
 * board also `notices`, the keys kept in the board that Atrium does not draw.
 */
export function validateYaml(yaml: string, format: BoardFormat = "atrium"): { ok: boolean; errors: SpecError[]; notices?: SpecError[] } {
  const parsed = parseBoard(yaml, format);
  const notices = format === "atrium" ? {} : { notices: parsed.notices };
  return parsed.ok ? { ok: true, errors: [], ...notices } : { ok: false, errors: parsed.errors, ...notices };
}
