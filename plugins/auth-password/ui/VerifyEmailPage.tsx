import { Title } from "@solidjs/meta";
import { useSearchParams } from "@solidjs/router";
import { createSignal, Match, onMount, Show, Switch } from "solid-js";
import { AuthCard, firstParam } from "~/ui/AuthCard";
import { Alert, BusyLabel, Button, Link, Notice, Spinner } from "~/ui/components";
import { problemOf, type Problem } from "~/ui/problems";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

type Outcome = { status: "checking" } | { status: "verified" } | { status: "failed"; problem: Problem } | { status: "missing" };

/** Opens from the link in the verification mail: confirms the address once, on arrival. */
export default function VerifyEmail() {
  const [params] = useSearchParams();
  const session = useSession();
  const token = () => firstParam(params.token);
  const [outcome, setOutcome] = createSignal<Outcome>({ status: "checking" });
  const failedProblem = () => {
    const current = outcome();
    return current.status === "failed" ? current.problem : undefined;
  };

  onMount(async () => {
    if (!token()) return setOutcome({ status: "missing" });
    try {
      await trpc.authPassword.verifyEmail.mutate({ token: token() });
      setOutcome({ status: "verified" });
      if (session.user()) void session.refresh();
    } catch (error) {
      setOutcome({ status: "failed", problem: problemOf(error) });
    }
  });

  const [resend, setResend] = createSignal<{ busy: boolean; sent?: boolean; problem?: string }>({ busy: false });
  const sendNewLink = async () => {
    setResend({ busy: true });
    try {
      const result = await trpc.authPassword.resendVerification.mutate();
      if (result.alreadyVerified) await session.refresh();
      setResend({ busy: false, sent: result.sent });
    } catch (error) {
      setResend({ busy: false, problem: problemOf(error).message });
    }
  };

  return (
    <AuthCard title="Confirm your email address">
      <Title>Confirm email · Atrium</Title>
      <Switch>
        <Match when={outcome().status === "checking"}>
          <Spinner label="Confirming your email address…" />
          <p class="muted" aria-hidden="true">
            Confirming your email address…
          </p>
        </Match>
        <Match when={outcome().status === "verified"}>
          <Notice tone="success" title="Your email address is confirmed.">
            <p>Thanks! You can now use everything Atrium offers.</p>
          </Notice>
          <div class="auth__actions">
            <Show when={session.user() !== null} fallback={<Link href="/sign-in" variant="button-primary">Sign in</Link>}>
              <Link href="/" variant="button-primary">
                Continue to Atrium
              </Link>
            </Show>
          </div>
        </Match>
        <Match when={outcome().status === "missing"}>
          <Alert message="This link is incomplete: it has no token. Open the link from the email again, or copy all of it." />
        </Match>
        <Match when={failedProblem()}>
          {(problem) => (
            <>
              <Alert message={problem().message} />
              <Show
                when={session.user()}
                fallback={
                  <div class="auth__actions">
                    <Link href="/sign-in" variant="button-primary">
                      Sign in
                    </Link>
                  </div>
                }
              >
                <Show
                  when={resend().sent}
                  fallback={
                    <div class="auth__actions">
                      <Button variant="primary" disabled={resend().busy} onClick={() => void sendNewLink()}>
                        <BusyLabel busy={resend().busy} label="Sending…">
                          Send a new link
                        </BusyLabel>
                      </Button>
                    </div>
                  }
                >
                  <Notice tone="success">
                    <p>We sent a new link to {session.user()?.email}. It works for 24 hours.</p>
                  </Notice>
                </Show>
                <Alert message={resend().problem} />
              </Show>
            </>
          )}
        </Match>
      </Switch>
    </AuthCard>
  );
}
