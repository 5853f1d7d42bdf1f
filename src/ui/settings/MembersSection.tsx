import { useNavigate } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, Button, ConfirmDialog } from "../components";
import { type RouterOutputs } from "../data";
import { createPagedList, showMore } from "../paged";
import { formatDate } from "../format";
import { Loaded } from "../LoadStates";
import { problemOf } from "../problems";
import { assignableRoles, roleLabel } from "../roles";
import { useSession } from "../session";
import { useCapabilities } from "../Slot";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { useCurrentOrg, useWorkspace } from "../workspace";
import { MemberSearch } from "./MemberSearch";
import { SettingsSection } from "./Section";

type Member = RouterOutputs["orgs"]["members"]["list"]["items"][number];

type Pending = { kind: "remove" | "transfer"; member: Member } | { kind: "leave" } | null;

/** The members and their roles; changes offered only to those who may make them. */
export function MembersSection() {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const session = useSession();
  const navigate = useNavigate();
  const toasts = useToasts();
  const capabilities = useCapabilities();
  const canManage = () => capabilities().has("members.manage");
  const canTransfer = () => capabilities().has("org.delete");
  const me = () => session.user()?.id;
  const [problem, setProblem] = createSignal<string | null>(null);
  const [search, setSearch] = createSignal("");
  const members = createPagedList(
    () => ({ orgId: org().id, search: search() || undefined }),
    (input, cursor) => trpc.orgs.members.list.query({ ...input, cursor }),
  );
  const refetch = members.refetch;
  const [busyUser, setBusyUser] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal<Pending>(null);
  const target = () => {
    const p = pending();
    return p && p.kind !== "leave" ? p.member : undefined;
  };
  const targetName = () => target()?.name || target()?.email || "";

  const changeRole = async (member: Member, select: HTMLSelectElement) => {
    const role = select.value as Member["role"];
    setProblem(null);
    setBusyUser(member.userId);
    try {
      await trpc.orgs.members.updateRole.mutate({ orgId: org().id, userId: member.userId, role });
      members.update((m) => (m.userId === member.userId ? { ...m, role } : m));
      toasts.success(`${member.name || member.email} is now ${roleLabel(role).toLowerCase()}`);
    } catch (error) {
      select.value = member.role; // the change did not happen
      setProblem(problemOf(error).message);
    } finally {
      setBusyUser(null);
    }
  };

  const canEditRole = (member: Member) =>
    canManage() && member.userId !== me() && (member.role !== "owner" || org().role === "owner");

  const removeMember = async () => {
    const member = target();
    if (!member) return;
    await trpc.orgs.members.remove.mutate({ orgId: org().id, userId: member.userId });
    await refetch();
    toasts.success(`${member.name || member.email} was removed`);
  };
  const transferOwnership = async () => {
    const member = target();
    if (!member) return;
    await trpc.orgs.members.transferOwnership.mutate({ orgId: org().id, userId: member.userId });
    await Promise.all([refetch(), workspace.refetchOrg(), session.refresh()]);
    toasts.success(`${member.name || member.email} now owns ${org().name}`);
  };
  const leave = async () => {
    const name = org().name;
    await trpc.orgs.members.leave.mutate({ orgId: org().id });
    await session.refresh();
    navigate("/", { replace: true });
    toasts.success(`You left ${name}`);
  };
  return (
    <SettingsSection
      id="members"
      title="Members"
      lede="People in this organization and what they can do."
      actions={
        <Button onClick={() => setPending({ kind: "leave" })} variant="secondary">
          Leave organization…
        </Button>
      }
    >
      <MemberSearch id="members-search" onSearch={setSearch} />
      <Alert message={problem()} />
      <Loaded of={members.first} what="the members" onRetry={() => void refetch()}>
        {() => (
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Members of {org().name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <Show when={canManage() || canTransfer()}>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </Show>
                </tr>
              </thead>
              <tbody>
                <For each={members.items()} fallback={<tr><td colspan="4">No member matches “{search()}”.</td></tr>}>
                  {(member) => (
                    <tr>
                      <th scope="row" class="table__person">
                        <span class="table__primary">
                          {member.name || member.email}
                          <Show when={member.userId === me()}>
                            {" "}
                            <Badge tone="accent">You</Badge>
                          </Show>
                        </span>
                        <span class="table__secondary">{member.email}</span>
                      </th>
                      <td>
                        <Show when={canEditRole(member)} fallback={<Badge tone={member.role === "owner" ? "accent" : "neutral"}>{roleLabel(member.role)}</Badge>}>
                          <select
                            class="input select select--compact"
                            aria-label={`Role of ${member.name || member.email}`}
                            disabled={busyUser() === member.userId}
                            onChange={(event) => void changeRole(member, event.currentTarget)}
                          >
                            <For each={assignableRoles(org().role)}>
                              {(role) => (
                                <option value={role} selected={role === member.role}>
                                  {roleLabel(role)}
                                </option>
                              )}
                            </For>
                          </select>
                        </Show>
                      </td>
                      <td>{formatDate(member.joinedAt)}</td>
                      <Show when={canManage() || canTransfer()}>
                        <td class="table__actions">
                          <Show when={member.userId !== me()}>
                            <Show when={canTransfer() && member.role !== "owner"}>
                              <Button variant="ghost" class="btn--compact" onClick={() => setPending({ kind: "transfer", member })}>
                                Make owner…
                              </Button>
                            </Show>
                            <Show when={canManage() && (member.role !== "owner" || org().role === "owner")}>
                              <Button variant="ghost" class="btn--compact btn--danger-text" onClick={() => setPending({ kind: "remove", member })}>
                                Remove…
                              </Button>
                            </Show>
                          </Show>
                        </td>
                      </Show>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Show when={members.hasMore()}>
              <Button variant="secondary" disabled={members.loadingMore()} onClick={() => void showMore(members, setProblem)}>
                {members.loadingMore() ? "Loading…" : "Show more members"}
              </Button>
            </Show>
          </div>
        )}
      </Loaded>

      <ConfirmDialog
        open={pending()?.kind === "remove"}
        onClose={() => setPending(null)}
        tone="danger"
        title="Remove this member?"
        description={
          <p>
            {targetName()} ({target()?.email}) loses access to {org().name} and its projects at once; their tokens for it are revoked. You can invite them again later.
          </p>
        }
        confirmLabel="Remove member"
        pendingLabel="Removing…"
        confirm={removeMember}
      />
      <ConfirmDialog
        open={pending()?.kind === "transfer"}
        onClose={() => setPending(null)}
        title="Transfer ownership?"
        description={
          <p>
            {targetName()} becomes an owner of {org().name}, and you become an admin: you will no longer be able to delete the organization or
            transfer it.
          </p>
        }
        confirmLabel="Transfer ownership"
        pendingLabel="Transferring…"
        confirm={transferOwnership}
      />
      <ConfirmDialog
        open={pending()?.kind === "leave"}
        onClose={() => setPending(null)}
        tone="danger"
        title={`Leave ${org().name}?`}
        description={<p>You lose access to its projects and dashboards at once. To come back, someone has to invite you again.</p>}
        confirmLabel="Leave organization"
        pendingLabel="Leaving…"
        confirm={leave}
      />
    </SettingsSection>
  );
}
