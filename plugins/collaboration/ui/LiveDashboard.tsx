/**
 * Slot `dashboard.banners`: the dashboard view's live side. While the page is open its person is
 * present (the stream is the heartbeat); it shows who else is here, "Updated by <name> — Reload"
 * when someone else saved a newer version, and reloads the comments when someone else wrote one.
 */
import { onCleanup, Show } from "solid-js";
import { Button } from "~/ui/components";
import { trpc } from "~/ui/trpc";
import { useWorkspace } from "~/ui/workspace";
import "./collaboration.css";
import { createLiveStore, type LiveMessage } from "./live-store";
import { PresenceList } from "./PresenceList";
import { useDashboardComments } from "./use-comments";

export default function LiveDashboard(props: { dashboardSlug: string }) {
  const workspace = useWorkspace();
  const comments = useDashboardComments();
  const where = () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project && comments() ? { orgId: org.id, projectId: project.id, slug: props.dashboardSlug } : undefined;
  };
  return <Show when={where()}>{(w) => <Live where={w()} version={() => comments()?.record.version ?? 0} onComment={() => void comments()?.store.refresh().catch(() => {})} reload={() => workspace.refetchRecord()} />}</Show>;
}

/** One open stream for one dashboard (the page remounts on another). */
export function Live(props: { where: { orgId: string; projectId: string; slug: string }; editing?: boolean; version: () => number; onComment?: () => void; reload?: () => Promise<void> }) {
  const live = createLiveStore({
    subscribe: (onData) => {
      // The page works without the stream (no avatars, no live notice): a dropped one is not an error to show.
      const subscription = trpc.collaboration.live.dashboard.subscribe(
        { ...props.where, editing: props.editing ?? false },
        { onData: (m) => onData(m as LiveMessage), onError: () => {} },
      );
      return () => subscription.unsubscribe();
    },
    // eslint-disable-next-line solid/reactivity
    version: props.version,
    onComment: () => props.onComment?.(),
  });
  onCleanup(live.stop);
  return (
    <div class="collab-live">
      <PresenceList others={live.others()} />
      <Show when={props.reload && live.updated()}>
        {(update) => (
          <p class="notice notice--info" role="status">
            Updated by {update().byName} (version {update().version}).{" "}
            <Button onClick={() => void props.reload?.()}>Reload</Button>
          </p>
        )}
      </Show>
    </div>
  );
}
