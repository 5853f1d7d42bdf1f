/**
 * The frame of every dashboards page: the project's loading states, then the page with the
 * current org and project. Pages under a dashboard (view, editor, history, chart builder) have
 * their own header; the list page shows the project's header and tabs.
 */
import { A } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createMemo, Match, Suspense, Switch, type JSX } from "solid-js";
import { LoadFailed, NotFoundPanel, PageLoading } from "~/ui/LoadStates";
import { Slot } from "~/ui/Slot";
import { failure, useWorkspace, type OrgDetails, type ProjectDetails } from "~/ui/workspace";
import "./dashboards.css";

export interface Current {
  org: OrgDetails;
  project: ProjectDetails;
  /** `/o/<org>/p/<project>` */
  base: string;
  scope: { orgId: string; projectId: string };
}

export function ProjectFrame(props: { loading: string; children: (current: () => Current) => JSX.Element }) {
  const workspace = useWorkspace();
  const ready = createMemo<Current | undefined>(() => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project ? { org, project, base: `/o/${org.slug}/p/${project.slug}`, scope: { orgId: org.id, projectId: project.id } } : undefined;
  });
  return (
    <Switch fallback={<PageLoading label={props.loading} />}>
      <Match when={workspace.org().status === "missing" || workspace.project().status === "missing"}>
        <NotFoundPanel title="Project not found" text="There is no project at this address in this organization, or it was deleted." />
      </Match>
      <Match when={failure(workspace.org()) ?? failure(workspace.project())}>
        {(problem) => <LoadFailed what="this project" problem={problem()} onRetry={() => void workspace.refetchProject()} />}
      </Match>
      <Match when={ready()}>{(current) => props.children(current)}</Match>
    </Switch>
  );
}

/** The project's header and tabs, as on its other pages. */
export function ProjectTabs(props: { current: Current; title: string; lede?: string }) {
  return (
    <>
      <Title>{props.title} · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">Project</p>
        <div class="page-header__row">
          <h1 class="page-header__title">{props.title}</h1>
        </div>
        {props.lede ? <p class="page-header__lede">{props.lede}</p> : null}
      </header>
      <nav class="tabs" aria-label="Project">
        <A href={props.current.base} end class="tab" activeClass="tab--active" inactiveClass="">
          Overview
        </A>
        <Suspense>
          <Slot name="project.tabs" props={{ projectId: props.current.project.id }} />
        </Suspense>
        <A href={`${props.current.base}/settings`} class="tab" activeClass="tab--active" inactiveClass="">
          Settings
        </A>
      </nav>
    </>
  );
}
