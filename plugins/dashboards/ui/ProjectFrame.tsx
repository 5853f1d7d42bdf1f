/**
 * What every dashboards page reads from the project layout's frame (src/ui/frames.tsx), which
 * shows the project's loading, not-found and failure states, and its header and tabs on the
 * list page: the current org and project, their address and the scope of every call.
 */
import { createMemo, type JSX } from "solid-js";
import { useCurrentOrg, useCurrentProject, type OrgDetails, type ProjectDetails } from "~/ui/workspace";
import "./dashboards.css";

export interface Current {
  org: OrgDetails;
  project: ProjectDetails;
  /** `/o/<org>/p/<project>` */
  base: string;
  scope: { orgId: string; projectId: string };
}

/** The current org and project, for pages the project frame renders (once both are loaded). */
export function useCurrent(): () => Current {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const current = createMemo<Current>(() => ({
    org: org(),
    project: project(),
    base: `/o/${org().slug}/p/${project().slug}`,
    scope: { orgId: org().id, projectId: project().id },
  }));
  return current;
}

/** Renders `children` with the current org and project (the frame has loaded them). */
export function ProjectFrame(props: { loading?: string; children: (current: () => Current) => JSX.Element }) {
  const current = useCurrent();
  return <>{props.children(current)}</>;
}
