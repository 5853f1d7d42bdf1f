/**
 * Slot `app.header`: the notifications bell of the current org, with the unread count; it leads
 * to the notifications page. Counts again on every page change and every 30 seconds.
 */
import { A, useLocation } from "@solidjs/router";
import { createEffect, createSignal, on, onCleanup, onMount, Show } from "solid-js";
import { trpc } from "~/ui/trpc";
import { useWorkspace } from "~/ui/workspace";
import "./collaboration.css";

export default function NotificationsBell() {
  const workspace = useWorkspace();
  const location = useLocation();
  const [unread, setUnread] = createSignal(0);
  const load = async () => {
    const org = workspace.currentOrg();
    if (!org) return;
    try {
      setUnread((await trpc.collaboration.notifications.list.query({ orgId: org.id, unreadOnly: true, limit: 1 })).unread);
    } catch {
      // The bell is a hint: a failed count leaves the last one, the page itself shows errors.
    }
  };
  createEffect(on([() => workspace.currentOrg()?.id, () => location.pathname], () => void load()));
  onMount(() => {
    const timer = setInterval(() => void load(), 30_000);
    const refresh = () => void load();
    window.addEventListener("atrium:notifications-changed", refresh);
    onCleanup(() => {
      clearInterval(timer);
      window.removeEventListener("atrium:notifications-changed", refresh);
    });
  });
  return (
    <Show when={workspace.currentOrg()}>
      {(org) => (
        <A
          href={`/o/${org().slug}/notifications`}
          class="collab-bell"
          activeClass="collab-bell--active"
          inactiveClass=""
          aria-label={unread() ? `Notifications, ${unread()} unread` : "Notifications"}
          data-testid="notifications-bell"
        >
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
            <path d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
          </svg>
          <Show when={unread() > 0}>
            <span class="collab-bell__count" aria-hidden="true">
              {unread() > 99 ? "99+" : unread()}
            </span>
          </Show>
        </A>
      )}
    </Show>
  );
}
