/**
 * A notice above a dashboard that anyone with a link can open: how many live public links it
 * has, and where to manage them. Loaded again when the share dialog changes a link.
 */
import { onCleanup, onMount, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { useFirstAnswers } from "~/ui/first-answers";
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
  const first = useFirstAnswers();
  const activeOf = (answer: { links: Array<{ status: string }> }) => answer.links.filter((l) => l.status === "active").length;
  const [live, { refetch }] = createBrowserResource(
    scope,
    (s) =>
      sharingApi.links.list
        .query(s)
        .then(activeOf)
        // The banner is a courtesy: without it the dashboard still works, and the dialog shows the links.
        .catch(() => 0),
    // A server-rendered dashboard's HTML brings the count (the contribution's `boot`).
    {
      initial: (s) => {
        const answer = first("sharing.links.list", s);
        return answer ? activeOf(answer.result as Parameters<typeof activeOf>[0]) : undefined;
      },
    },
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
