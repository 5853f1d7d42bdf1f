import { createSignal, Show } from "solid-js";
import { Alert, BusyLabel, Button, createAction, Notice } from "~/ui/components";
import type { SlotProps } from "~/ui/plugin-ui";
import { useSession } from "~/ui/session";
import { trpc } from "~/ui/trpc";

/** In the account's Profile section (slot `account.profile`): a new confirmation link for an unconfirmed address. */
export default function ResendConfirmation(props: SlotProps["account.profile"]) {
  const session = useSession();
  const [resent, setResent] = createSignal(false);
  const [resendProblem, setResendProblem] = createSignal<string | null>(null);
  const resend = createAction(
    async () => {
      setResendProblem(null);
      const result = await trpc.authPassword.resendVerification.mutate();
      if (result.alreadyVerified) await session.refresh();
      setResent(result.sent);
    },
    (p) => setResendProblem(p.message),
  );
  return (
    <Show when={!props.emailVerified}>
      <div class="inline-actions">
        <Show
          when={resent()}
          fallback={
            <Button disabled={resend.pending()} onClick={() => void resend.run()}>
              <BusyLabel busy={resend.pending()} label="Sending…">
                Send a new confirmation link
              </BusyLabel>
            </Button>
          }
        >
          <Notice tone="success">
            <p>We sent a new link to {props.email}. It works for 24 hours.</p>
          </Notice>
        </Show>
        <Alert message={resendProblem()} />
      </div>
    </Show>
  );
}
