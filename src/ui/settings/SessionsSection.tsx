import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, BusyLabel, Button, createAction, createRowAction } from "../components";
import { createBrowserResource, type RouterOutputs } from "../data";
import { formatDateTime, formatRelative } from "../format";
import { MonitorIcon } from "../icons";
import { Loaded } from "../LoadStates";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { SettingsSection } from "./Section";

type SessionRow = RouterOutputs["auth"]["sessions"]["list"][number];

/** "Chrome on Linux" from a user agent, good enough to recognise a device. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /curl|node|undici|python/i.test(userAgent)
            ? "Script"
            : "Browser";
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Mac OS X|Macintosh/.test(userAgent)
      ? /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : "macOS"
      : /Android/.test(userAgent)
        ? "Android"
        : /Linux/.test(userAgent)
          ? "Linux"
          : "";
  return os ? `${browser} on ${os}` : browser;
}

/** The person's signed-in devices: this one marked, the others revocable one by one or all at once. */
export function SessionsSection(props: { version?: number }) {
  const toasts = useToasts();
  // `version` changes when the page knows the sessions changed (a password change replaces them all).
  const [sessions, { refetch }] = createBrowserResource(
    () => `v${props.version ?? 0}`,
    () => trpc.auth.sessions.list.query(),
  );
  const [problem, setProblem] = createSignal<string | null>(null);
  const others = () => (sessions.latest ?? []).filter((s) => !s.current);

  const revokeOthers = createAction(
    async () => {
      setProblem(null);
      const { revoked } = await trpc.auth.sessions.revokeOthers.mutate();
      await refetch();
      toasts.success(revoked === 1 ? "Signed out 1 other device" : `Signed out ${revoked} other devices`);
    },
    (p) => setProblem(p.message),
  );

  const revoke = createRowAction(
    async (session: SessionRow) => {
      setProblem(null);
      await trpc.auth.sessions.revoke.mutate({ id: session.id });
      await refetch();
      toasts.success(`Signed out ${describeDevice(session.userAgent)}`);
    },
    (session) => session.id,
    (problem) => setProblem(problem.message),
  );

  return (
    <SettingsSection
      id="sessions"
      title="Signed-in devices"
      lede="Where your account is signed in. Sign out anything you don’t recognise, then change your password."
      actions={
        <Show when={others().length > 0}>
          <Button disabled={revokeOthers.pending()} onClick={() => void revokeOthers.run()}>
            <BusyLabel busy={revokeOthers.pending()} label="Signing out…">
              Sign out other devices
            </BusyLabel>
          </Button>
        </Show>
      }
    >
      <Alert message={problem()} />
      <Loaded of={sessions} what="your devices" onRetry={() => void refetch()}>
        {(list) => (
          <ul class="rows" aria-label="Signed-in devices">
            <For each={list()}>
              {(session) => (
                <li class="row">
                  <MonitorIcon class="icon row__icon" />
                  <div class="row__main">
                    <p class="row__title">
                      {describeDevice(session.userAgent)}
                      <Show when={session.current}>
                        {" "}
                        <Badge tone="success">This device</Badge>
                      </Show>
                    </p>
                    <p class="row__meta">
                      {session.ip ?? "Unknown address"} · signed in {formatDateTime(session.createdAt)} · active {formatRelative(session.lastSeenAt)}
                    </p>
                  </div>
                  <Show when={!session.current}>
                    <Button
                      variant="ghost"
                      class="btn--compact btn--danger-text"
                      disabled={revoke.busy(session)}
                      aria-label={`Sign out ${describeDevice(session.userAgent)}, signed in ${formatDateTime(session.createdAt)}`}
                      onClick={() => void revoke.run(session)}
                    >
                      <BusyLabel busy={revoke.busy(session)} label="Signing out…">
                        Sign out
                      </BusyLabel>
                    </Button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Loaded>
    </SettingsSection>
  );
}
