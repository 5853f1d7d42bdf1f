/**
 * A list of activity entries: who did what to which dashboard, when. Used by the Activity pages
 * and the org home's "Latest activity".
 */
import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import { Badge } from "~/ui/components";
import { formatDateTime, formatRelative, isoOf } from "~/ui/format";
import type { ActivityEntry } from "./activity-store";
import "./collaboration.css";

const KIND_LABEL: Record<ActivityEntry["kind"], string> = { save: "Save", comment: "Comment", review: "Review", share: "Share" };

export function ActivityList(props: { items: ActivityEntry[]; orgSlug: string; showProject: boolean; label: string }) {
  const dashboardHref = (e: ActivityEntry) => (e.dashboard ? `/o/${props.orgSlug}/p/${e.project.slug}/d/${e.dashboard.slug}` : `/o/${props.orgSlug}/p/${e.project.slug}`);
  return (
    <ul class="rows" aria-label={props.label}>
      <For each={props.items}>
        {(e) => (
          <li class="row" data-activity-kind={e.kind}>
            <div class="row__main">
              <p class="row__title">
                <Badge tone={e.kind === "comment" ? "accent" : "neutral"}>{KIND_LABEL[e.kind]}</Badge> {e.actor?.name ?? "Someone"}
                <Show when={e.viaAgent}> (agent {e.viaAgent})</Show> {e.verb} <A href={dashboardHref(e)}>{e.dashboard?.title ?? e.project.name}</A>
                <Show when={e.version !== null}> (version {e.version})</Show>
                <Show when={e.role}> ({e.role})</Show>
              </p>
              <p class="row__meta">
                <time datetime={isoOf(e.at)} title={formatDateTime(e.at)}>
                  {formatRelative(e.at)}
                </time>
                <Show when={props.showProject}> · {e.project.name}</Show>
                <Show when={e.excerpt}> · “{e.excerpt}”</Show>
              </p>
            </div>
          </li>
        )}
      </For>
    </ul>
  );
}
