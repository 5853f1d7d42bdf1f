import { createSignal, Show } from "solid-js";
import { BusyLabel, Button, createAction } from "~/ui/components";
import { MailIcon } from "~/ui/icons";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

/** Reminds a signed-in person with an unconfirmed address, with a way to get a new link. */
/** Slot `app.banners`. */
export default function VerifyEmailBanner() {
  const session = useSession();
  const [status, setStatus] = createSignal<string | null>(null);
  const resend = createAction(
    async () => {
      const result = await trpc.authPassword.resendVerification.mutate();
      if (result.alreadyVerified) await session.refresh();
      else setStatus(`Sent. Check ${session.user()?.email ?? "your inbox"}; the link works for 24 hours.`);
    },
    (problem) => setStatus(problem.message),
  );
  return (
    <Show when={session.user()?.emailVerified === false}>
      <div class="banner" role="region" aria-label="Email confirmation">
        <MailIcon class="icon banner__icon" />
        <p class="banner__text">
          Confirm your email address: we sent a link to <strong>{session.user()?.email}</strong>.
        </p>
        <Button class="btn--compact" disabled={resend.pending()} onClick={() => void resend.run()}>
          <BusyLabel busy={resend.pending()} label="Sending…">
            Send a new link
          </BusyLabel>
        </Button>
        <p class="banner__status" role="status">
          {status()}
        </p>
      </div>
    </Show>
  );
}
