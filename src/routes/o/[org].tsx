import type { RouteDefinition, RouteSectionProps } from "@solidjs/router";
import { Match, Switch } from "solid-js";
import { LoadFailed, NotFoundPanel, PageLoading } from "~/ui/LoadStates";
import type { RouteInfo } from "~/ui/plugin-ui";
import { failure, useWorkspace } from "~/ui/workspace";

export const route = { info: { signIn: "required" } satisfies RouteInfo } satisfies RouteDefinition;

/** Every page under `/o/:org`: shown once the org is loaded (the shell loads it from the address). */
export default function OrgLayout(props: RouteSectionProps) {
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
      <Match when={workspace.org().status === "ready"}>{props.children}</Match>
    </Switch>
  );
}
