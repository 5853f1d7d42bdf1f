import { Title } from "@solidjs/meta";
import { useLocation, useNavigate, useParams, type RouteDefinition } from "@solidjs/router";
import { createSignal, Match, Show, Switch } from "solid-js";
import { roleLabel } from "~/ui/roles";
import { AuthCard } from "~/ui/AuthCard";
import { Alert, BusyLabel, Button, createAction, Link, Notice, Spinner } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import type { RouteInfo } from "~/ui/plugin-ui";
import { problemOf } from "~/ui/problems";
import { authHref, useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

export const route = {
  info: {
    breadcrumb: "Invitation",
    chrome: "focused",
    // A link for no invitation answers 404 (the page says the link is not valid).
    lookup: { query: "orgs.invitations.preview", input: (params) => ({ token: params.token ?? "" }) },
  } satisfies RouteInfo,
} satisfies RouteDefinition;

const STATUS_TEXT = {
  accepted: "This invitation has already been accepted.",
  revoked: "This invitation was withdrawn by the organization.",
  expired: "This invitation has expired. Ask the person who invited you for a new one.",
} as const;

/** An invitation link: what it is for, then sign in (or up) and accept. */
export default function Invitation() {
  const params = useParams<{ token: string }>();
  const location = useLocation();
  const navigate = useNavigate();
  const session = useSession();
  const [preview] = createBrowserResource(
    () => params.token,
    (token) => trpc.orgs.invitations.preview.query({ token }),
  );
  const [problem, setProblem] = createSignal<string | null>(null);
  const accept = createAction(
    async () => {
      setProblem(null);
      const result = await trpc.orgs.invitations.accept.mutate({ token: params.token });
      await session.refresh();
      navigate(`/o/${result.orgSlug}`);
    },
    (p) => setProblem(p.message),
  );
  const switchAccount = createAction(
    async () => {
      const email = preview.latest?.email ?? "";
      await trpc.auth.signOut.mutate();
      await session.refresh();
      navigate(authHref("/sign-in", location.pathname, { email }));
    },
    (p) => setProblem(p.message),
  );
  const alreadyMember = () => {
    const p = preview.latest;
    return !!p && !!session.user()?.orgs.some((o) => o.slug === p.orgSlug);
  };

  return (
    <AuthCard title="You’re invited">
      <Title>Invitation · Atrium</Title>
      <Switch fallback={<Spinner label="Loading the invitation…" />}>
        <Match when={preview.error as unknown}>
          <Alert message={problemOf(preview.error).code === "NOT_FOUND" ? "This invitation link is not valid. Check that you copied all of it, or ask for a new one." : problemOf(preview.error).message} />
        </Match>
        <Match when={preview.state === "ready" && preview.latest}>
          {(invitation) => (
            <>
              <p class="invite__summary">
                You’ve been invited to join <strong>{invitation().orgName}</strong> as <strong>{roleLabel(invitation().role)}</strong>.
              </p>
              <p class="muted">The invitation was sent to {invitation().email}.</p>
              <Switch>
                <Match when={invitation().status !== "pending"}>
                  <Notice tone="warning">
                    <p>{STATUS_TEXT[invitation().status as keyof typeof STATUS_TEXT]}</p>
                  </Notice>
                  <Show when={alreadyMember()}>
                    <div class="auth__actions">
                      <Link href={`/o/${invitation().orgSlug}`} variant="button-primary">
                        Go to {invitation().orgName}
                      </Link>
                    </div>
                  </Show>
                </Match>
                <Match when={session.user() === null}>
                  <p>Sign in or create an account with that email address to accept.</p>
                  <div class="auth__actions">
                    <Link href={authHref("/sign-up", location.pathname, { email: invitation().email })} variant="button-primary">
                      Create an account
                    </Link>
                    <Link href={authHref("/sign-in", location.pathname, { email: invitation().email })} variant="button-secondary">
                      Sign in
                    </Link>
                  </div>
                </Match>
                <Match when={session.user()}>
                  {(me) => (
                    <Show
                      when={me().email.toLowerCase() === invitation().email.toLowerCase()}
                      fallback={
                        <>
                          <Notice tone="warning">
                            <p>
                              You’re signed in as <strong>{me().email}</strong>. Only {invitation().email} can accept this invitation.
                            </p>
                          </Notice>
                          <div class="auth__actions">
                            <Button variant="primary" disabled={switchAccount.pending()} onClick={() => void switchAccount.run()}>
                              <BusyLabel busy={switchAccount.pending()} label="Signing out…">
                                Sign in as {invitation().email}
                              </BusyLabel>
                            </Button>
                          </div>
                        </>
                      }
                    >
                      <div class="auth__actions">
                        <Button variant="primary" disabled={accept.pending()} onClick={() => void accept.run()}>
                          <BusyLabel busy={accept.pending()} label="Joining…">
                            Accept and join {invitation().orgName}
                          </BusyLabel>
                        </Button>
                        <Link href="/" variant="button-secondary">
                          Not now
                        </Link>
                      </div>
                    </Show>
                  )}
                </Match>
              </Switch>
              <Alert message={problem()} />
            </>
          )}
        </Match>
      </Switch>
    </AuthCard>
  );
}
