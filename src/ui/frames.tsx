/**
 * The frames of the org and project layouts: every page under `/o/:org` (and
 * `/o/:org/p/:project`), the kernel's and the plugins', is rendered inside them. The frame
 * shows the loading, not-found, forbidden and failure states of the org, the project and the
 * page's record (`PluginPage.record`), and on a project's tab pages the project's header
 * (with the Archived badge) and its tabs (Overview, the `project.tabs` slot, Settings). A page
 * renders only once what it lives in is loaded, so it reads it with `useCurrentOrg()`,
 * `useCurrentProject()` and `usePageRecord()` and never shows these states itself.
 */
import { Title } from "@solidjs/meta";
import { A, useCurrentMatches, type RouteSectionProps } from "@solidjs/router";
import { createMemo, Match, Show, Suspense, Switch, type JSX } from "solid-js";
import { Badge } from "./components";
import { ForbiddenPanel, LoadFailed, NotFoundPanel, PageLoading } from "./LoadStates";
import type { RouteInfo } from "./plugin-ui";
import { Slot } from "./Slot";
import { failure, useWorkspace } from "./workspace";

/** What the deepest matched route (the page) declares. */
function usePageInfo() {
  const matches = useCurrentMatches();
  const info = createMemo(() => {
    const list = matches();
    return (list[list.length - 1]?.route.info ?? {}) as RouteInfo;
  });
  return info;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The page's record: its states, then the page. Pages without a record pass straight through. */
function RecordStates(props: { where: string; children: JSX.Element }) {
  const workspace = useWorkspace();
  // A part the record lacks (a dashboard's chart) is what is not found; else the record.
  const noun = () => {
    const page = workspace.recordPage();
    return (workspace.record().status === "missing" && page?.within?.noun) || page?.spec.noun || "page";
  };
  const problem = () => failure(workspace.record());
  return (
    <Show when={workspace.recordPage()} fallback={props.children}>
      <Switch fallback={<PageLoading label={`Loading ${noun()}…`} />}>
        <Match when={workspace.record().status === "missing"}>
          <NotFoundPanel title={`${capitalized(noun())} not found`} text={`There is no ${noun()} at this address in ${props.where}, or you cannot see it.`} />
        </Match>
        <Match when={problem()?.code === "FORBIDDEN" && problem()}>
          {(p) => <ForbiddenPanel title={`You can’t open this ${noun()}`} problem={p()} />}
        </Match>
        <Match when={problem()}>{(p) => <LoadFailed what={`this ${noun()}`} problem={p()} onRetry={() => void workspace.refetchRecord()} />}</Match>
        <Match when={workspace.record().status === "ready"}>{props.children}</Match>
      </Switch>
    </Show>
  );
}

/** Every page under `/o/:org`: shown once the org is loaded (the shell loads it from the address). */
export function OrgFrame(props: RouteSectionProps) {
  const workspace = useWorkspace();
  return (
    <Switch fallback={<PageLoading label="Loading organization…" />}>
      <Match when={workspace.org().status === "missing"}>
        <NotFoundPanel
          title="Organization not found"
          text="There is no organization at this address, or you are not a member of it. If someone invited you, open the link from their invitation."
        />
      </Match>
      <Match when={failure(workspace.org())}>
        {(problem) => <LoadFailed what="this organization" problem={problem()} onRetry={() => void workspace.refetchOrg()} />}
      </Match>
      {/* Project pages' records are the project frame's. */}
      <Match when={workspace.org().status === "ready" && workspace.projectSlug()}>{props.children}</Match>
      <Match when={workspace.org().status === "ready"}>
        <RecordStates where="this organization">{props.children}</RecordStates>
      </Match>
    </Switch>
  );
}

/** The project's header (name, Archived badge, description) and tabs. */
function ProjectHeader(props: { heading: string | undefined }) {
  const workspace = useWorkspace();
  const base = () => `/o/${workspace.currentOrg()?.slug}/p/${workspace.currentProject()?.slug}`;
  return (
    <Show when={workspace.currentProject()}>
      {(project) => {
        const title = () => (props.heading ? `${project().name}: ${props.heading}` : project().name);
        return (
          <>
            <Title>{title()} · Atrium</Title>
            <header class="page-header">
              <p class="eyebrow">Project</p>
              <div class="page-header__row">
                <h1 class="page-header__title">{title()}</h1>
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
          </>
        );
      }}
    </Show>
  );
}

/**
 * Every page of a project. Tab pages (the default) get the project's header and tabs; pages
 * about one record (`header: "own"`) draw their own header below the breadcrumbs.
 */
export function ProjectFrame(props: RouteSectionProps) {
  const workspace = useWorkspace();
  const page = usePageInfo();
  const ownHeader = () => page().header === "own";
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
        <Show
          when={!ownHeader()}
          fallback={<RecordStates where="this project">{props.children}</RecordStates>}
        >
          <div class="stack">
            <ProjectHeader heading={page().heading} />
            <div class="tab-panel">
              <RecordStates where="this project">{props.children}</RecordStates>
            </div>
          </div>
        </Show>
      </Match>
    </Switch>
  );
}
