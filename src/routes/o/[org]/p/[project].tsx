import { A, type RouteSectionProps } from "@solidjs/router";
import { Match, Show, Suspense, Switch } from "solid-js";
import { Badge } from "~/ui/components";
import { LoadFailed, NotFoundPanel, PageLoading } from "~/ui/LoadStates";
import { Slot } from "~/ui/Slot";
import { failure, useWorkspace } from "~/ui/workspace";

/** Every page of a project: its header and tabs (Overview, plugin tabs, Settings), then the page. */
export default function ProjectLayout(props: RouteSectionProps) {
  const workspace = useWorkspace();
  const base = () => `/o/${workspace.currentOrg()?.slug}/p/${workspace.currentProject()?.slug}`;
  return (
    <Switch fallback={<PageLoading label="Loading project…" />}>
      <Match when={workspace.project().status === "missing"}>
        <NotFoundPanel
          title="Project not found"
          text="There is no project at this address in this organization, or it was deleted. Pick one from the organization’s project list."
        />
      </Match>
      <Match when={failure(workspace.project())}>
        {(problem) => <LoadFailed what="this project" problem={problem()} onRetry={() => void workspace.refetchProject()} />}
      </Match>
      <Match when={workspace.currentProject()}>
        {(project) => (
          <div class="stack">
            <header class="page-header">
              <p class="eyebrow">Project</p>
              <div class="page-header__row">
                <h1 class="page-header__title">{project().name}</h1>
                <Show when={project().archivedAt}>
                  <Badge tone="warning">Archived</Badge>
                </Show>
              </div>
              <Show when={project().description}>
                <p class="page-header__lede">{project().description}</p>
              </Show>
            </header>
            <nav class="tabs" aria-label="Project">
              <A href={base()} end class="tab" activeClass="tab--active" inactiveClass="">
                Overview
              </A>
              <Suspense>
                <Slot name="project.tabs" props={{ projectId: project().id }} />
              </Suspense>
              <A href={`${base()}/settings`} class="tab" activeClass="tab--active" inactiveClass="">
                Settings
              </A>
            </nav>
            <div class="tab-panel">{props.children}</div>
          </div>
        )}
      </Match>
    </Switch>
  );
}
