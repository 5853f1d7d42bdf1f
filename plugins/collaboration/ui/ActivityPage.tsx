/**
 * The Activity page, of an org (`/o/:org/activity`, with a project filter) or of one project
 * (`/o/:org/p/:project/activity`): saves, comments, reviews and shares, newest first, filtered by
 * kind and person (kept in the address), with "Show more".
 */
import { useSearchParams } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { For, Show } from "solid-js";
import { Alert, BusyLabel, Button } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { Loaded } from "~/ui/LoadStates";
import { trpc } from "~/ui/trpc";
import { everyProject } from "~/ui/projects";
import { useWorkspace } from "~/ui/workspace";
import { ActivityList } from "./ActivityList";
import { createActivityFeed, type ActivityFilters } from "./activity-store";

const KINDS = [
  { value: "", label: "Everything" },
  { value: "save", label: "Saves" },
  { value: "comment", label: "Comments" },
  { value: "review", label: "Reviews" },
  { value: "share", label: "Shares" },
] as const;
type Kind = "save" | "comment" | "review" | "share";

export default function ActivityPage() {
  const workspace = useWorkspace();
  const [params, setParams] = useSearchParams<{ kind?: string; person?: string; project?: string }>();
  const org = () => workspace.currentOrg();
  const inProject = () => workspace.currentProject();
  const kind = () => (KINDS.some((k) => k.value === params.kind && k.value) ? (params.kind as Kind) : undefined);
  const filters = (): ActivityFilters | null => {
    const o = org();
    if (!o) return null;
    const projectId = inProject()?.id ?? (params.project || undefined);
    return { orgId: o.id, projectId, kinds: kind() ? [kind()!] : undefined, personId: params.person || undefined };
  };
  const feed = createActivityFeed(filters);
  const [members] = createBrowserResource(
    () => org()?.id,
    // The first 200 members offered as a filter (members are listed a page at a time).
    (orgId) => trpc.orgs.members.list.query({ orgId, limit: 200 }).then((page) => page.items),
  );
  const [projects] = createBrowserResource(
    () => !inProject() && org()?.id,
    (orgId) => everyProject(orgId),
  );
  const heading = () => (inProject() ? `Activity in ${inProject()!.name}` : "Activity");
  return (
    <div class="stack">
      <Title>{heading()} · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">{heading()}</h1>
      </header>
      <div class="toolbar collab-activity-filters" role="group" aria-label="Filter activity">
        <div class="field">
          <label class="field__label" for="activity-kind">
            Show
          </label>
          <select id="activity-kind" class="input select" onChange={(e) => setParams({ kind: e.currentTarget.value || undefined })}>
            <For each={KINDS}>
              {(k) => (
                <option value={k.value} selected={k.value === (params.kind ?? "")}>
                  {k.label}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label class="field__label" for="activity-person">
            Person
          </label>
          <select id="activity-person" class="input select" onChange={(e) => setParams({ person: e.currentTarget.value || undefined })}>
            <option value="">Anyone</option>
            <For each={(!members.error && members()) || []}>
              {(m) => (
                <option value={m.userId} selected={m.userId === params.person}>
                  {m.name || m.email}
                </option>
              )}
            </For>
          </select>
        </div>
        <Show when={!inProject()}>
          <div class="field">
            <label class="field__label" for="activity-project">
              Project
            </label>
            <select id="activity-project" class="input select" onChange={(e) => setParams({ project: e.currentTarget.value || undefined })}>
              <option value="">All projects</option>
              <For each={(!projects.error && projects()) || []}>
                {(p) => (
                  <option value={p.id} selected={p.id === params.project}>
                    {p.name}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
      </div>
      <Loaded of={feed.first} what="the activity" onRetry={() => void feed.refetch()}>
        {() => (
          <Show when={feed.items().length > 0} fallback={<p class="muted">Nothing here yet. Saves, comments, reviews and shares show up here as they happen.</p>}>
            <ActivityList items={feed.items()} orgSlug={org()?.slug ?? ""} showProject={!inProject()} label="Activity" />
            <Alert message={feed.moreError()} />
            <Show when={feed.hasMore()}>
              <Button variant="secondary" onClick={() => void feed.showMore()} disabled={feed.loadingMore()}>
                <BusyLabel busy={feed.loadingMore()} label="Loading…">
                  Show more
                </BusyLabel>
              </Button>
            </Show>
          </Show>
        )}
      </Loaded>
    </div>
  );
}
