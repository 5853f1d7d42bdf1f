/**
 * A project's dbt Charts source mapping: the source names its boards read from (a board's
 * `source:`, dbt_charts.yml's `sources:` names) → the org's data sources. A board's queries run
 * on the source its name maps to (service.boardSourceMapping); a name mapped nowhere is listed
 * as unmapped, on this page and above the board. Plain functions over a scoped handle.
 */
import { sql } from "kysely";
import { fieldError } from "~/kernel/errors";
import { listSources } from "../data/engine";
import { boardSourceNames } from "./document";
import { boardSourceMapping, dashboardsDb, type DashboardScope } from "./service";

/** How many boards the page reads the source names of (a project holds far fewer). */
const MAX_BOARDS_READ = 1000;

export interface BoardSource {
  /** The source name as boards write it. */
  name: string;
  /** The data source it maps to (the warehouse answers to `warehouse` unless mapped); null when unmapped. */
  sourceId: string | null;
  /** That data source's name, or null when it is unmapped or no longer exists. */
  sourceName: string | null;
  /** Whether the project mapped it explicitly (it can be unmapped). */
  mapped: boolean;
  /** The live boards that read from it. */
  boards: { slug: string; title: string }[];
}

export interface BoardSourcesView {
  items: BoardSource[];
  /** The org's data sources a name can map to. */
  sources: { id: string; name: string; label: string }[];
}

/** Every source name the project's boards use or the project mapped, with what each maps to. */
export async function listBoardSources(s: DashboardScope): Promise<BoardSourcesView> {
  const db = dashboardsDb(s.db);
  const [explicit, boards, sources, mapping] = await Promise.all([
    db.selectFrom("dashboards_board_sources").select(["name"]).where("org_id", "=", s.orgId).where("project_id", "=", s.projectId).execute(),
    db
      .selectFrom("dashboards_dashboards")
      .select(["slug", "title", "yaml"])
      .where("org_id", "=", s.orgId)
      .where("project_id", "=", s.projectId)
      .where("format", "=", "dbt-charts")
      .where("deleted_at", "is", null)
      .orderBy("title")
      .limit(MAX_BOARDS_READ)
      .execute(),
    listSources(s.kernel, s.db, s.orgId),
    boardSourceMapping(s),
  ]);
  const byName = new Map<string, BoardSource>();
  const entry = (name: string): BoardSource => {
    let item = byName.get(name);
    if (!item) {
      const sourceId = mapping[name] ?? null;
      const source = sources.find((x) => x.id === sourceId);
      item = { name, sourceId, sourceName: source?.name ?? null, mapped: false, boards: [] };
      byName.set(name, item);
    }
    return item;
  };
  for (const row of explicit) entry(row.name).mapped = true;
  for (const board of boards) for (const name of boardSourceNames(board.yaml)) entry(name).boards.push({ slug: board.slug, title: board.title });
  const items = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { items, sources: sources.map((x) => ({ id: x.id, name: x.name, label: x.label })) };
}

/** Maps a source name to one of the org's data sources (422 on `sourceId` when the org has no such source). */
export async function mapBoardSource(s: DashboardScope, input: { name: string; sourceId: string }): Promise<BoardSource> {
  const sources = await listSources(s.kernel, s.db, s.orgId);
  const source = sources.find((x) => x.id === input.sourceId);
  if (!source) throw fieldError("UNPROCESSABLE_CONTENT", "sourceId", `The organization has no data source "${input.sourceId}". Pick one of its sources (list_data_sources).`);
  await dashboardsDb(s.db)
    .insertInto("dashboards_board_sources")
    .values({ org_id: s.orgId, project_id: s.projectId, name: input.name, source_id: source.id, updated_by: s.userId })
    .onConflict((oc) => oc.columns(["project_id", "name"]).doUpdateSet({ source_id: source.id, updated_by: s.userId, updated_at: sql<Date>`now()` }))
    .execute();
  const item = (await listBoardSources(s)).items.find((x) => x.name === input.name);
  return item ?? { name: input.name, sourceId: source.id, sourceName: source.name, mapped: true, boards: [] };
}

/** Removes the project's mapping of a source name; `removed` is false when it had none. */
export async function unmapBoardSource(s: DashboardScope, name: string): Promise<{ name: string; removed: boolean }> {
  const deleted = await dashboardsDb(s.db)
    .deleteFrom("dashboards_board_sources")
    .where("org_id", "=", s.orgId)
    .where("project_id", "=", s.projectId)
    .where("name", "=", name)
    .executeTakeFirst();
  return { name, removed: Number(deleted.numDeletedRows) > 0 };
}
