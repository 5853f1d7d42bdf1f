/**
 * In the People tab: invite an address to view this dashboard without an account (a one-time
 * link by mail), and the dashboard's invitations with their status, to send again or revoke.
 */
import { createSignal, For, onMount, Show } from "solid-js";
import { Badge, Button, createForm, FormAlert, SubmitButton, TextField } from "~/ui/components";
import { LoadFailed } from "~/ui/LoadStates";
import { formatDateTime } from "~/ui/format";
import { problemOf, type Problem } from "~/ui/problems";
import type { RouterOutputs } from "~/ui/data";
import { sharingApi } from "./api";

type Scope = { orgId: string; projectId: string; slug: string };
type Invite = RouterOutputs["sharing"]["invites"]["list"]["invites"][number];

const TONE = { sent: "warning", "link-expired": "neutral", viewing: "success", "access-expired": "neutral", revoked: "danger" } as const;
const LABEL = { sent: "link sent", "link-expired": "link expired", viewing: "viewing", "access-expired": "access ended", revoked: "revoked" } as const;

export function InvitesPanel(props: { scope: Scope }) {
  const [invites, setInvites] = createSignal<Invite[] | null>(null);
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [notice, setNotice] = createSignal("");
  const load = async () => {
    try {
      setInvites((await sharingApi.invites.list.query(props.scope)).invites);
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(problemOf(error));
    }
  };
  onMount(() => void load());
  const invite = async (email: string) => {
    const out = await sharingApi.invites.create.mutate({ ...props.scope, email });
    setNotice(out.resent ? `A new link went to ${email}; the earlier one no longer works.` : `Invitation sent to ${email}.`);
    await load();
  };
  const form = createForm({
    async action(data, element) {
      await invite(String(data.get("email") ?? "").trim());
      element.reset();
    },
  });
  const act = async (row: Invite, what: "resend" | "revoke") => {
    setNotice("");
    try {
      if (what === "resend") await invite(row.email);
      else {
        await sharingApi.invites.revoke.mutate({ orgId: props.scope.orgId, projectId: props.scope.projectId, inviteId: row.id });
        setNotice(`${row.email} can no longer view this dashboard.`);
        await load();
      }
    } catch (error) {
      setNotice(problemOf(error).message);
    }
  };
  return (
    <section class="stack" aria-labelledby="invite-heading">
      <h3 class="share-heading" id="invite-heading">
        Invite to view, no account needed
      </h3>
      <form class="share-form" onSubmit={form.onSubmit} novalidate aria-label="Invite to view">
        <TextField form={form} name="email" type="email" label="Address to invite" required="Enter an email address" autocomplete="off" hint="They get a link that works once, for an hour, and lets that browser view for 30 days." />
        <SubmitButton form={form} pendingLabel="Sending…">
          Send invitation
        </SubmitButton>
        <FormAlert form={form} />
      </form>
      <p role="status" class="alert-region">
        {notice()}
      </p>
      <Show when={loadProblem()}>{(p) => <LoadFailed what="the invitations" problem={p()} onRetry={() => void load()} />}</Show>
      <Show when={invites()?.length}>
        <ul class="share-list" aria-label="Invitations to view">
          <For each={invites()}>
            {(row) => (
              <li class="share-list__item">
                <span class="share-list__who">
                  {row.email}
                  <span class="muted">
                    {" "}
                    sent {formatDateTime(row.sentAt)}
                    {row.status === "viewing" && row.accessExpiresAt ? `, may view until ${formatDateTime(row.accessExpiresAt)}` : ""}
                    {row.askedAt ? `, asked for more access ${formatDateTime(row.askedAt)}` : ""}
                  </span>
                </span>
                <Badge tone={TONE[row.status]}>{LABEL[row.status]}</Badge>
                <Button variant="ghost" class="btn--compact" onClick={() => void act(row, "resend")} aria-label={`Send a new link: ${row.email}`}>
                  Send again
                </Button>
                <Show when={row.status !== "revoked"}>
                  <Button variant="ghost" class="btn--compact" onClick={() => void act(row, "revoke")} aria-label={`Revoke invitation: ${row.email}`}>
                    Revoke
                  </Button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
