/**
 * The org's notifications page: mentions and replies, newest first (older ones on demand), unread ones marked; opening
 * one marks it read and goes to its dashboard; "Mark all as read".
 */
import { A, useNavigate } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, BusyLabel, Button } from "~/ui/components";
import { type RouterOutputs } from "~/ui/data";
import { createPagedList, showMore } from "~/ui/paged";
import { formatDateTime, formatRelative, isoOf } from "~/ui/format";
import { Loaded } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import "./collaboration.css";

type Notification = RouterOutputs["collaboration"]["notifications"]["list"]["items"][number];

/** The server counts unread ones up to this many (UNREAD_COUNT_MAX); at it, "99+". */
const UNREAD_SHOWN_MAX = 100;

const changed = () => window.dispatchEvent(new Event("atrium:notifications-changed"));

export default function NotificationsPage() {
  const org = useCurrentOrg();
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // The newest hundred, then older ones a hundred at a time ("Show older notifications").
  const [unread, setUnread] = createSignal(0);
  const list = createPagedList(
    () => org().id,
    async (orgId, cursor) => {
      const page = await trpc.collaboration.notifications.list.query({ orgId, limit: 100, ...(cursor ? { cursor } : {}) });
      if (!cursor) setUnread(page.unread);
      return page;
    },
  );
  const refetch = list.refetch;

  const hrefOf = (n: Notification) => `/o/${org().slug}/p/${n.projectSlug}/d/${n.dashboardSlug}`;
  const markAll = async () => {
    setBusy(true);
    setError(null);
    try {
      await trpc.collaboration.notifications.markRead.mutate({ orgId: org().id, all: true });
      await refetch();
      changed();
    } catch (e) {
      setError(problemOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  const open = async (event: MouseEvent, n: Notification) => {
    event.preventDefault();
    if (!n.read) {
      await trpc.collaboration.notifications.markRead.mutate({ orgId: org().id, ids: [n.id] }).catch(() => undefined);
      changed();
    }
    navigate(hrefOf(n));
  };
  return (
    <div class="stack">
      <Title>Notifications · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">Notifications</h1>
      </header>
      <Loaded of={list.first} what="your notifications" onRetry={() => void refetch()}>
        {() => (
          <>
            <div class="toolbar">
              <p class="muted">{unread() ? `${unread() >= UNREAD_SHOWN_MAX ? `${UNREAD_SHOWN_MAX - 1}+` : unread()} unread` : "All read"}</p>
              <Show when={unread() > 0}>
                <Button variant="secondary" onClick={() => void markAll()} disabled={busy()}>
                  <BusyLabel busy={busy()} label="Marking…">
                    Mark all as read
                  </BusyLabel>
                </Button>
              </Show>
            </div>
            <Alert message={error()} />
            <Show when={list.items().length} fallback={<p class="muted">Nothing yet. When someone mentions you or replies in a thread you wrote in, it shows here.</p>}>
              <ul class="rows" aria-label="Notifications">
                <For each={list.items()}>
                  {(n) => (
                    <li class="row" classList={{ "collab-notification--unread": !n.read }} data-notification={n.id}>
                      <div class="row__main">
                        <p class="row__title">
                          <Show when={!n.read}>
                            <Badge tone="accent">New</Badge>{" "}
                          </Show>
                          <A href={hrefOf(n)} onClick={(e) => void open(e, n)}>
                            {n.actor?.name ?? "Someone"} {n.kind === "mention" ? "mentioned you on" : "replied on"} {n.dashboardTitle}
                          </A>
                        </p>
                        <p class="row__meta">
                          <time datetime={isoOf(n.createdAt)} title={formatDateTime(n.createdAt)}>
                            {formatRelative(n.createdAt)}
                          </time>
                          {" · "}
                          {n.excerpt}
                        </p>
                      </div>
                    </li>
                  )}
                </For>
              </ul>
              <Show when={list.hasMore()}>
                <Button variant="secondary" disabled={list.loadingMore()} onClick={() => void showMore(list, setError)}>
                  {list.loadingMore() ? "Loading…" : "Show older notifications"}
                </Button>
              </Show>
            </Show>
          </>
        )}
      </Loaded>
    </div>
  );
}
