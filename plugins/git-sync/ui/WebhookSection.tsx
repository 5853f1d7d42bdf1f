/**
 * The Git page's push webhook (for members who may connect): create or replace the secret; the
 * address and the secret are shown once, to paste into the repository's webhook settings
 * (content type application/json, push events).
 */
import { createSignal, Show } from "solid-js";
import { BusyLabel, Button, CopyField, Notice } from "~/ui/components";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

export function WebhookSection(props: { at: { orgId: string; projectId: string }; hasWebhook: boolean; onChanged: () => void }) {
  const [hook, setHook] = createSignal<{ url: string; secret: string } | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await trpc.gitSync.webhook.mutate(props.at);
      setHook({ url: created.url, secret: created.secret });
      props.onChanged();
    } catch (e) {
      setError(problemOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h3 class="subheading">Push webhook</h3>
      <p class="muted">
        {props.hasWebhook ? "A webhook is set up: each push to the trunk syncs within seconds." : "Without a webhook, the trunk is synced every hour or with Sync now."}
      </p>
      <div>
        <Button variant="secondary" onClick={() => void create()} disabled={busy()}>
          <BusyLabel busy={busy()} label="Creating…">
            {props.hasWebhook ? "Replace the webhook secret" : "Set up a webhook"}
          </BusyLabel>
        </Button>
      </div>
      <Show when={error()}>{(m) => <Notice tone="warning">{m()}</Notice>}</Show>
      <Show when={hook()}>
        {(h) => (
          <div class="stack">
            <Notice tone="info">Add a webhook to the repository with this address and secret (content type application/json, push events). The secret is shown only now.</Notice>
            <CopyField label="Payload URL" value={h().url} mono />
            <CopyField label="Secret" value={h().secret} mono />
          </div>
        )}
      </Show>
    </>
  );
}
