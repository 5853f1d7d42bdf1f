/**
 * A notice above a dashboard that anyone with a link can open: how many live public links it
 * has, and where to manage them. Loaded again when the share dialog changes a link.
 */
import { createResource, onCleanup, onMount, Show } from "solid-js";
import { useWorkspace } from "~/ui/workspace";
import { sharingApi } from "./api";
import { LINKS_CHANGED } from "./links-store";

export default function PublicBanner(props: { dashboardSlug: string }) {
  const workspace = useWorkspace();
  const scope = () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project ? { orgId: org.id, projectId: project.id, slug: props.dashboardSlug } : null;
  };
  const [live, { refetch }] = createResource(scope, (s) =>
    sharingApi.links.list
      .query(s)
      .then((r) => r.links.filter((l) => l.status === "active").length)
      // The banner is a courtesy: without it the dashboard still works, and the dialog shows the links.
      .catch(() => 0),
  );
  onMount(() => {
    const again = () => void refetch();
    window.addEventListener(LINKS_CHANGED, again);
    onCleanup(() => window.removeEventListener(LINKS_CHANGED, again));
  });
  return (
    <Show when={!live.error && live.latest}>
      {(count) => (
        <p class="notice notice--info" role="note">
          This dashboard is public: {count() === 1 ? "one link lets" : `${count()} links let`} anyone with the address view it without an account. Manage them with Share, under Public link.
        </p>
      )}
    </Show>
  );
}
