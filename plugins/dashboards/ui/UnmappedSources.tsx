/**
 * Above a dbt Charts board: the source names it reads from that the project has not mapped to a
 * data source (its queries cannot run until they are), with the way to the mapping page.
 */
import { Show } from "solid-js";
import { Link, Notice } from "~/ui/components";
import type { DashboardRecord } from "./api";

export function UnmappedSources(props: { record: DashboardRecord; base: string; canEdit: boolean }) {
  const names = () => props.record.unmappedSources ?? [];
  return (
    <Show when={names().length}>
      <Notice tone="warning" title={names().length === 1 ? `The board source “${names()[0]}” is not mapped` : `${names().length} board sources are not mapped`}>
        <p>
          This board reads from {names().map((n) => `“${n}”`).join(", ")}, which no data source of the organization answers to in this project, so its queries cannot run yet.{" "}
          <Link href={`${props.base}/board-sources`}>{props.canEdit ? "Map the board’s sources" : "See the board sources"}</Link>
          {props.canEdit ? " to one of the organization’s data sources (connect the database under Data first if it is not there)." : "; an editor of the project can map them."}
        </p>
      </Notice>
    </Show>
  );
}
