/**
 * Slot `dashboard.banners`: the dashboard view's live side. While the page is open its person is
 * present (the stream is the heartbeat); it shows who else is here, re-reads the dashboard when
 * someone else saved a newer version (a viewer edits nothing, so nothing is lost) with a short
 * "Updated by <name>" notice, and reloads the comments when someone else wrote one.
 */
import { createEffect, createSignal, on, onCleanup, Show } from "solid-js";
import { Button } from "~/ui/components";
import { useMounted } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useWorkspace } from "~/ui/workspace";
import "./collaboration.css";
import { createLiveStore, type LiveMessage } from "./live-store";
import { PresenceList } from "./PresenceList";
import { useDashboardComments } from "./use-comments";

export default function LiveDashboard(props: { dashboardSlug: string }) {
  // The stream is the browser's: a server-rendered dashboard gets its live side once mounted.
  const mounted = useMounted();
  return (
    <Show when={mounted()}>
      <LiveSide dashboardSlug={props.dashboardSlug} />
    </Show>
  );
}

function LiveSide(props: { dashboardSlug: string }) {
  const workspace = useWorkspace();
  const comments = useDashboardComments();
  const where = () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project && comments() ? { orgId: org.id, projectId: project.id, slug: props.dashboardSlug } : undefined;
  };
  return <Show when={where()}>{(w) => <Live where={w()} version={() => comments()?.record.version ?? 0} onComment={() => void comments()?.store.refresh().catch(() => {})} reload={() => workspace.refetchRecord()} autoReload />}</Show>;
}

/** How long the "Updated by" notice stays after the view re-read the new version by itself. */
const UPDATED_NOTICE_MS = 8000;

/**
 * One open stream for one dashboard (the page remounts on another). With `reload`, a newer
 * version saved by someone else shows "Updated by <name>": with `autoReload` the page re-reads it
 * at once and the notice stays a few seconds; without, the notice offers Reload.
 */
export function Live(props: {
  where: { orgId: string; projectId: string; slug: string };
  editing?: boolean;
  version: () => number;
  onComment?: () => void;
  reload?: () => Promise<void>;
  autoReload?: boolean;
}) {
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
  // The notice after an automatic re-read; a failed one falls back to the Reload button.
  const [reloaded, setReloaded] = createSignal<{ version: number; byName: string } | null>(null);
  const [autoFailed, setAutoFailed] = createSignal(false);
  let noticeTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(noticeTimer));
  createEffect(
    on(live.updated, (update) => {
      if (!update || !props.autoReload || !props.reload || autoFailed()) return;
      props.reload().then(
        () => {
          setReloaded(update);
          clearTimeout(noticeTimer);
          noticeTimer = setTimeout(() => setReloaded(null), UPDATED_NOTICE_MS);
        },
        () => setAutoFailed(true),
      );
    }),
  );
  const prompt = () => (props.autoReload && !autoFailed() ? null : live.updated());
  return (
    <div class="collab-live">
      <PresenceList others={live.others()} />
      <Show when={props.reload && prompt()}>
        {(update) => (
          <p class="notice notice--info" role="status">
            Updated by {update().byName} (version {update().version}).{" "}
            <Button onClick={() => void props.reload?.()}>Reload</Button>
          </p>
        )}
      </Show>
      <Show when={!prompt() && reloaded()}>
        {(update) => (
          <p class="notice notice--info" role="status">
            Updated by {update().byName}: now showing version {update().version}.
          </p>
        )}
      </Show>
    </div>
  );
}
