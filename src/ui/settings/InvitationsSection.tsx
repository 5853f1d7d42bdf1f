import { createMemo, createSignal, For, Show } from "solid-js";
import {
  Alert,
  Badge,
  BusyLabel,
  Button,
  CopyField,
  createForm,
  createRowAction,
  FormAlert,
  Notice,
  SelectField,
  SubmitButton,
  TextField,
} from "../components";
import { type RouterOutputs } from "../data";
import { createPagedList } from "../paged";
import { problemOf } from "../problems";
import { formatDate, formatRelative } from "../format";
import { Loaded } from "../LoadStates";
import { assignableRoles, ROLE_DESCRIPTIONS, roleLabel, type RoleName } from "../roles";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { useCurrentOrg } from "../workspace";
import { SettingsSection } from "./Section";

type Invitation = RouterOutputs["orgs"]["invitations"]["list"]["items"][number];
type Created = RouterOutputs["orgs"]["invitations"]["create"];

const EXPIRY_OPTIONS = [
  { value: "1", label: "1 day" },
  { value: "3", label: "3 days" },
  { value: "7", label: "7 days" },
  { value: "14", label: "14 days" },
  { value: "30", label: "30 days" },
];

function isPending(invitation: Invitation, now: number): boolean {
  return !invitation.acceptedAt && !invitation.revokedAt && new Date(invitation.expiresAt).getTime() > now;
}

/** Invite by email with a role; the link is shown once; pending invitations can be withdrawn. */
export function InvitationsSection() {
  const org = useCurrentOrg();
  const toasts = useToasts();
  // The server lists pending ones only; one that lapses while the page is open drops out here.
  const invitations = createPagedList(
    () => ({ orgId: org().id, pending: true }),
    (input, cursor) => trpc.orgs.invitations.list.query({ ...input, cursor }),
  );
  const refetch = invitations.refetch;
  const pendingList = createMemo(() => {
    const now = Date.now();
    return invitations.items().filter((i) => isPending(i, now));
  });
  const [created, setCreated] = createSignal<Created | null>(null);
  const [role, setRole] = createSignal<RoleName>("viewer");
  const [listProblem, setListProblem] = createSignal<string | null>(null);

  const form = createForm({
    action: async (data, element) => {
      setCreated(null);
      const invitation = await trpc.orgs.invitations.create.mutate({
        orgId: org().id,
        email: String(data.get("email") ?? ""),
        role: String(data.get("role") ?? "viewer") as Created["role"],
        expiresInDays: Number(data.get("expiresInDays") ?? 7),
      });
      setCreated(invitation);
      // Ready for the next person; role and expiry stay as chosen.
      const email = element.elements.namedItem("email");
      if (email instanceof HTMLInputElement) email.value = "";
      void refetch();
    },
  });

  const revoke = createRowAction(
    async (invitation: Invitation) => {
      setListProblem(null);
      await trpc.orgs.invitations.revoke.mutate({ orgId: org().id, invitationId: invitation.id });
      if (created()?.id === invitation.id) setCreated(null);
      await refetch();
      toasts.success(`The invitation for ${invitation.email} was withdrawn`);
    },
    (invitation) => invitation.id,
    (problem) => setListProblem(problem.message),
  );

  return (
    <SettingsSection id="invitations" title="Invitations" lede="Invite people by email. Each link works once, for the person it was sent to.">
      <form class="form form--grid" onSubmit={(event) => form.onSubmit(event)} novalidate aria-label="Invite someone">
        <TextField
          form={form}
          name="email"
          label="Email address"
          type="email"
          autocomplete="off"
          inputmode="email"
          spellcheck={false}
          placeholder="name@example.com"
          required="Enter the email address to invite."
          fieldClass="form--grid__wide"
        />
        <SelectField
          form={form}
          name="role"
          label="Role"
          value="viewer"
          hint={`${ROLE_DESCRIPTIONS[role()]}.`}
          options={assignableRoles(org().role)
            .slice()
            .reverse()
            .map((r) => ({ value: r, label: roleLabel(r) }))}
          onChange={(event) => setRole(event.currentTarget.value as RoleName)}
        />
        <SelectField form={form} name="expiresInDays" label="Link expires after" hint="Unused links stop working then." value="7" options={EXPIRY_OPTIONS} />
        <div class="form__actions form--grid__wide">
          <SubmitButton form={form} pendingLabel="Sending invitation…">
            Send invitation
          </SubmitButton>
        </div>
        <div class="form--grid__wide">
          <FormAlert form={form} />
        </div>
      </form>

      <Show when={created()}>
        {(invitation) => (
          <div class="secret-box" data-testid="invitation-link">
            <Notice tone="success" title={`Invitation sent to ${invitation().email}`}>
              <p>
                We emailed them the link below. You can also send it yourself; it is shown only now, works once, and expires on{" "}
                {formatDate(invitation().expiresAt)}.
              </p>
            </Notice>
            <CopyField label="Invitation link" value={invitation().link} mono hint="Only the invited email address can accept it." />
          </div>
        )}
      </Show>

      <h3 class="subheading">Pending invitations</h3>
      <Alert message={listProblem()} />
      <Loaded of={invitations.first} what="the invitations" onRetry={() => void refetch()}>
        {() => (
          <Show when={pendingList().length > 0} fallback={<p class="muted">No pending invitations.</p>}>
            <div class="table-wrap">
              <table class="table">
                <caption class="visually-hidden">Pending invitations</caption>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={pendingList()}>
                    {(invitation) => (
                      <tr>
                        <th scope="row">{invitation.email}</th>
                        <td>
                          <Badge>{roleLabel(invitation.role)}</Badge>
                        </td>
                        <td>{formatDate(invitation.createdAt)}</td>
                        <td>{formatRelative(invitation.expiresAt)}</td>
                        <td class="table__actions">
                          <Button
                            variant="ghost"
                            class="btn--compact btn--danger-text"
                            disabled={revoke.busy(invitation)}
                            aria-label={`Revoke the invitation for ${invitation.email}`}
                            onClick={() => void revoke.run(invitation)}
                          >
                            <BusyLabel busy={revoke.busy(invitation)} label="Revoking…">
                              Revoke
                            </BusyLabel>
                          </Button>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
              <Show when={invitations.hasMore()}>
                <Button
                  variant="secondary"
                  disabled={invitations.loadingMore()}
                  onClick={() => void invitations.loadMore().catch((error: unknown) => setListProblem(problemOf(error).message))}
                >
                  {invitations.loadingMore() ? "Loading…" : "Show more invitations"}
                </Button>
              </Show>
            </div>
          </Show>
        )}
      </Loaded>
    </SettingsSection>
  );
}
