/**
 * The current organization and project, taken from the address (`/o/:org`, `/o/:org/p/:project`)
 * and loaded once for the whole shell: the top bar's switcher, the left navigation, the
 * breadcrumbs and the pages all read the same copy. The member's capabilities in the org (or
 * in the project, on project pages) feed `useCapabilities()`, so `<Slot>` and the pages offer
 * only what the member may do. The server still checks every call.
 */
import { useCurrentMatches, useLocation } from "@solidjs/router";
import { createContext, createMemo, untrack, useContext, type Accessor, type ParentProps } from "solid-js";
import { createBrowserResource, type RouterOutputs } from "./data";
import type { FirstAnswers } from "./first-answers";
import type { PageRecord, RouteInfo } from "./plugin-ui";
import { problemOf, type Problem } from "./problems";
import { useSession } from "./session";
import { CapabilitiesProvider, useUiRegistry } from "./Slot";
import { hasBoot } from "./boot-cache";
import { preloadSlot } from "./preload-page";
import { queryByPath, trpc } from "./trpc";

export type OrgDetails = Omit<RouterOutputs["orgs"]["bySlug"], "project">;
export type ProjectDetails = RouterOutputs["projects"]["bySlug"];

/** Where a loadable thing stands. */
export type LoadState<T> =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ready"; value: T }
  | { status: "missing" }
  | { status: "failed"; problem: Problem };

export interface Workspace {
  /** The org slug in the address, if any. */
  orgSlug: Accessor<string | null>;
  /** The project slug in the address, if any. */
  projectSlug: Accessor<string | null>;
  org: Accessor<LoadState<OrgDetails>>;
  project: Accessor<LoadState<ProjectDetails>>;
  /** The loaded org (only when it matches the address). */
  currentOrg: Accessor<OrgDetails | undefined>;
  currentProject: Accessor<ProjectDetails | undefined>;
  refetchOrg(): Promise<void>;
  refetchProject(): Promise<void>;
  /** The record the current page is about (`PluginPage.record`), once its org and project are loaded. */
  record: Accessor<LoadState<unknown>>;
  /** What the current page declares about its record, with the address of the record's own page. */
  recordPage: Accessor<RecordPage | undefined>;
  /** The record's name, once loaded (for breadcrumbs and titles). */
  recordName: Accessor<string | undefined>;
  refetchRecord(): Promise<void>;
}

/** A page's record declaration, resolved against the current address. */
export interface RecordPage {
  spec: PageRecord;
  /** The address of the record's own page (`/o/acme/p/web/d/sales`). */
  href: string;
  params: Readonly<Record<string, string | undefined>>;
  /** Whether the record holds what the rest of the address names (`PluginPage.within`). */
  within?: RouteInfo["within"];
}

const WorkspaceContext = createContext<Workspace>();

const ORG_PATH = /^\/o\/([^/]+)(?:\/p\/([^/]+))?/;

function segment(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return decodeURIComponent(value).toLowerCase();
  } catch {
    return value.toLowerCase();
  }
}

function stateOf<T>(resource: { state: string; error: unknown; latest: T | undefined }, matches: (value: T) => boolean): LoadState<T> {
  if (resource.state === "unresolved") return { status: "idle" };
  if (resource.state === "errored") {
    const problem = problemOf(resource.error);
    return problem.code === "NOT_FOUND" ? { status: "missing" } : { status: "failed", problem };
  }
  const value = resource.state === "pending" ? undefined : resource.latest;
  if (value === undefined || !matches(value)) return { status: "loading" };
  return { status: "ready", value };
}

export function WorkspaceProvider(props: ParentProps) {
  const location = useLocation();
  const session = useSession();
  const match = createMemo(() => ORG_PATH.exec(location.pathname));
  const orgSlug = createMemo(() => segment(match()?.[1]));
  const projectSlug = createMemo(() => segment(match()?.[2]));
  const registry = useUiRegistry();

  // Keyed by the person, not by each fresh copy of `auth.me`, so a profile change does not reload the org.
  const userId = createMemo(() => session.user()?.id);
  // A page inside a project asks for the org and the project in one call; the project's answer
  // waits here for the project resource, which takes it instead of asking again.
  const projectsLoadedWithOrg = new Map<string, { project: ProjectDetails | null; at: number }>();
  const [org, { refetch: refetchOrg }] = createBrowserResource(
    () => {
      const slug = orgSlug();
      const user = userId();
      return slug && user ? `${user}:${slug}` : false;
    },
    async (key) => {
      const projectSlugNow = untrack(projectSlug);
      const { project: withProject, ...found } = await trpc.orgs.bySlug.query({ slug: key.slice(key.indexOf(":") + 1), ...(projectSlugNow ? { projectSlug: projectSlugNow } : {}) });
      projectsLoadedWithOrg.clear();
      if (projectSlugNow && withProject !== undefined) projectsLoadedWithOrg.set(`${found.id}:${projectSlugNow}`, { project: withProject, at: Date.now() });
      return found;
    },
  );
  const orgState = createMemo<LoadState<OrgDetails>>(() => {
    const slug = orgSlug();
    return slug ? stateOf<OrgDetails>(org, (o) => o.slug === slug) : { status: "idle" };
  });
  const currentOrg = createMemo(() => readyValue(orgState()));

  const orgId = createMemo(() => currentOrg()?.id);
  const [project, { refetch: refetchProject }] = createBrowserResource(
    () => {
      const id = orgId();
      const slug = projectSlug();
      return id && slug ? `${id}:${slug}` : false;
    },
    async (key) => {
      // Taken once, and only fresh (a later visit to the project asks again).
      const loaded = projectsLoadedWithOrg.get(key);
      projectsLoadedWithOrg.delete(key);
      // None the caller may see: ask again, so the answer is the server's own 404.
      if (loaded?.project && Date.now() - loaded.at < 5_000) return loaded.project;
      const [id, slug] = key.split(":") as [string, string];
      return trpc.projects.bySlug.query({ orgId: id, slug });
    },
  );
  const projectState = createMemo<LoadState<ProjectDetails>>(() => {
    const slug = projectSlug();
    return slug ? stateOf<ProjectDetails>(project, (p) => p.slug === slug) : { status: "idle" };
  });
  const currentProject = createMemo(() => readyValue(projectState()));

  // The record of the deepest matched page that declares one (`d/:slug` for a dashboard's pages).
  const matches = useCurrentMatches();
  const recordPage = createMemo<RecordPage | undefined>(() => {
    const list = matches();
    const page = list[list.length - 1];
    const info = page?.route.info as RouteInfo | undefined;
    const spec = info?.record;
    if (!page || !spec) return undefined;
    const layout = [...list].reverse().find((m) => (m.route.info as RouteInfo | undefined)?.layout);
    const base = (layout?.path ?? "").replace(/\/$/, "");
    const filled = spec.path.replace(/:([a-zA-Z0-9]+)/g, (_, name: string) => encodeURIComponent(page.params[name] ?? ""));
    return { spec, href: filled ? `${base}/${filled}` : base, params: page.params, within: info.within };
  });
  const recordKey = createMemo(() => {
    const declared = recordPage();
    const org = currentOrg();
    if (!declared || !org) return undefined;
    const project = currentProject();
    if (projectSlug() && !project) return undefined;
    const scope = project ? { orgId: org.id, projectId: project.id } : { orgId: org.id };
    // The address is part of the key: each page loads its record afresh, as when it loaded its own.
    return JSON.stringify([location.pathname, declared.spec.query, declared.spec.input(scope, declared.params)]);
  });
  // Each visit counts: back on an address seen before (the board after mapping its sources on
  // another page), the page waits for its record afresh instead of showing the earlier visit's.
  let visits = 0;
  const visitKey = createMemo(() => {
    const key = recordKey();
    return key ? JSON.stringify([++visits, key]) : undefined;
  });
  const [record, { refetch: refetchRecord }] = createBrowserResource(
    () => visitKey() ?? false,
    async (key) => {
      const [, visited] = JSON.parse(key) as [number, string];
      const [, query, input] = JSON.parse(visited) as [string, string, unknown];
      const spec = recordPage()?.spec;
      const prepare = spec?.prepare as ((value: unknown) => unknown) | undefined;
      // The parser loads with the query, unless the page's HTML brought the record already
      // prepared (src/ui/boot.tsx): then evaluating it would only delay the page's first paint.
      if (!hasBoot(query, input)) void (async () => spec?.preload?.())().catch(() => {});
      for (const slot of spec?.slots ?? []) preloadSlot(registry, slot);
      const value = await queryByPath(query, input);
      return { key, value: prepare ? await prepare(value) : value };
    },
  );
  const recordState = createMemo<LoadState<unknown>>(() => {
    const key = visitKey();
    if (!key) return { status: recordPage() ? "loading" : "idle" };
    const state = stateOf<{ key: string; value: unknown }>(record, (r) => r.key === key);
    if (state.status !== "ready") return state;
    return recordStateOf(recordPage(), state.value.value);
  });
  const { recordName, capabilities } = createDerived(() => ({ record: recordState(), page: recordPage(), org: currentOrg(), project: currentProject() }));

  const workspace: Workspace = {
    orgSlug,
    projectSlug,
    org: orgState,
    project: projectState,
    currentOrg,
    currentProject,
    async refetchOrg() {
      await refetchOrg();
    },
    async refetchProject() {
      await refetchProject();
    },
    record: recordState,
    recordPage,
    recordName,
    async refetchRecord() {
      await refetchRecord();
    },
  };
  return (
    <WorkspaceContext.Provider value={workspace}>
      <CapabilitiesProvider capabilities={capabilities()}>{props.children}</CapabilitiesProvider>
    </WorkspaceContext.Provider>
  );
}

/** The value of a loaded state. */
function readyValue<T>(state: LoadState<T>): T | undefined {
  return state.status === "ready" ? state.value : undefined;
}

/** Not loaded yet: where a first answer may stand in. */
function waiting(state: LoadState<unknown>): boolean {
  return state.status === "idle" || state.status === "loading";
}

/** A loaded record as the page's state: missing when it lacks what the rest of the address names in it (a chart it does not have). */
function recordStateOf(page: RecordPage | undefined, value: unknown): LoadState<unknown> {
  const has = page?.within?.has as ((record: unknown, params: RecordPage["params"]) => boolean) | undefined;
  return has && page && !has(value, page.params) ? { status: "missing" } : { status: "ready", value };
}

/** Equal sets: the capabilities stay the same object while the record alone changes. */
function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const member of a) if (!b.has(member)) return false;
  return true;
}

/** The record's name and the caller's capabilities, from a workspace's states (the shell's, or a first render's). */
function createDerived(
  source: () => { record: LoadState<unknown>; page: RecordPage | undefined; org: OrgDetails | undefined; project: ProjectDetails | undefined },
) {
  const recordName = createMemo(() => {
    const { record, page } = source();
    return record.status === "ready" && page ? (page.spec.name as (value: unknown) => string)(record.value) : undefined;
  });
  // Project pages use the member's role in the project (an override may differ from the org role).
  const capabilities = createMemo<ReadonlySet<string>>(
    () => {
      const { org, project } = source();
      return new Set(project?.capabilities ?? org?.capabilities ?? []);
    },
    new Set<string>(),
    { equals: sameMembers },
  );
  return { recordName, capabilities };
}

/**
 * The workspace as a server-rendered page's first render sees it (src/ui/first-render.tsx): the
 * org, the project and the page's record the shell has not loaded yet, from the answers the
 * page's HTML carried (the same procedures and inputs the shell asks); the rest, and all of it
 * once loaded, from the shell. Inside `SessionFirst`.
 */
export function WorkspaceFirst(props: ParentProps<{ first: FirstAnswers }>) {
  const outer = useWorkspace();
  const session = useSession();
  const orgAnswer = createMemo(() => {
    const slug = outer.orgSlug();
    if (!slug || !session.user()) return undefined;
    const projectSlug = outer.projectSlug();
    const answer = props.first("orgs.bySlug", projectSlug ? { slug, projectSlug } : { slug });
    const found = answer?.result as (OrgDetails & { project?: ProjectDetails | null }) | undefined;
    return found?.slug === slug ? found : undefined;
  });
  const org = createMemo<LoadState<OrgDetails>>(() => {
    const state = outer.org();
    const answer = orgAnswer();
    if (!waiting(state) || !answer) return state;
    const { project: _project, ...found } = answer;
    return { status: "ready", value: found };
  });
  const currentOrg = createMemo(() => readyValue(org()));
  const project = createMemo<LoadState<ProjectDetails>>(() => {
    const state = outer.project();
    const answer = orgAnswer()?.project;
    if (!waiting(state) || !answer || answer.slug !== outer.projectSlug()) return state;
    return { status: "ready", value: answer };
  });
  const currentProject = createMemo(() => readyValue(project()));
  const record = createMemo<LoadState<unknown>>(() => {
    const state = outer.record();
    const page = outer.recordPage();
    const inOrg = currentOrg();
    const inProject = currentProject();
    if (!waiting(state) || !page || !inOrg || (outer.projectSlug() && !inProject)) return state;
    const scope = inProject ? { orgId: inOrg.id, projectId: inProject.id } : { orgId: inOrg.id };
    // Prepared by the server (its `prepare` accepts its own output).
    const answer = props.first(page.spec.query, page.spec.input(scope, page.params));
    return answer ? recordStateOf(page, answer.result) : state;
  });
  const { recordName, capabilities } = createDerived(() => ({ record: record(), page: outer.recordPage(), org: currentOrg(), project: currentProject() }));
  const workspace: Workspace = { ...outer, org, project, currentOrg, currentProject, record, recordName };
  return (
    <WorkspaceContext.Provider value={workspace}>
      <CapabilitiesProvider capabilities={capabilities()}>{props.children}</CapabilitiesProvider>
    </WorkspaceContext.Provider>
  );
}

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace() must be used inside <WorkspaceProvider> (the app layout provides it).");
  return workspace;
}

/**
 * The current org, for pages under `/o/:org` (the org layout renders them only once it is
 * loaded). Keeps the last value while the page is being taken down (after a sign-out or a
 * switch to another org), so a page never sees "no org".
 */
export function useCurrentOrg(): Accessor<OrgDetails> {
  const workspace = useWorkspace();
  const initial = workspace.currentOrg();
  if (!initial) throw new Error("useCurrentOrg() is for pages under /o/:org, rendered once the org is loaded.");
  const org = createMemo<OrgDetails>((last) => workspace.currentOrg() ?? last, initial);
  return org;
}

/** The current project, for pages under `/o/:org/p/:project` (same rules as `useCurrentOrg`). */
export function useCurrentProject(): Accessor<ProjectDetails> {
  const workspace = useWorkspace();
  const initial = workspace.currentProject();
  if (!initial) throw new Error("useCurrentProject() is for pages under /o/:org/p/:project, rendered once the project is loaded.");
  const project = createMemo<ProjectDetails>((last) => workspace.currentProject() ?? last, initial);
  return project;
}

/** The problem of a failed load, for `<Match when={failure(state())}>`. */
export function failure<T>(state: LoadState<T>): Problem | undefined {
  return state.status === "failed" ? state.problem : undefined;
}

/**
 * The record the current page is about (its `record` declaration), for pages the frame renders
 * once it is loaded. `refetch` loads it again (after a change the page made).
 */
export function usePageRecord<T>(): { record: Accessor<T>; refetch: () => Promise<void> } {
  const workspace = useWorkspace();
  const initial = workspace.record();
  if (initial.status !== "ready") throw new Error("usePageRecord() is for pages with a record, rendered by the frame once it is loaded.");
  const record = createMemo<T>((last) => {
    const state = workspace.record();
    return state.status === "ready" ? (state.value as T) : last;
  }, initial.value as T);
  return { record, refetch: () => workspace.refetchRecord() };
}
