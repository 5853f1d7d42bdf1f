import { Title } from "@solidjs/meta";
import { useNavigate } from "@solidjs/router";
import { createMemo, createSignal, For, Show } from "solid-js";
import {
  Alert,
  Badge,
  BusyLabel,
  Button,
  ConfirmDialog,
  createAction,
  createForm,
  FormAlert,
  Notice,
  SubmitButton,
  TextAreaField,
  TextField,
} from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { createPagedList } from "~/ui/paged";
import { Loaded } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { roleLabel, type RoleName } from "~/ui/roles";
import { MemberSearch } from "~/ui/settings/MemberSearch";
import { SettingsSection } from "~/ui/settings/Section";
import { useCapabilities } from "~/ui/Slot";
import { useToasts } from "~/ui/toasts";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useCurrentProject, useWorkspace } from "~/ui/workspace";

function DetailsSection() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const workspace = useWorkspace();
  const capabilities = useCapabilities();
  const [saved, setSaved] = createSignal(false);
  const form = createForm({
    action: async (data) => {
      setSaved(false);
      await trpc.projects.update.mutate({
        orgId: org().id,
        projectId: project().id,
        name: String(data.get("name") ?? ""),
        description: String(data.get("description") ?? ""),
      });
      await workspace.refetchProject();
      setSaved(true);
    },
  });
  return (
    <SettingsSection id="details" title="Details" lede="The project’s name and what it is for.">
      <Show
        when={capabilities().has("project.update")}
        fallback={
          <>
            <dl class="details">
              <div class="details__row">
                <dt>Name</dt>
                <dd>{project().name}</dd>
              </div>
              <div class="details__row">
                <dt>Description</dt>
                <dd>{project().description || <span class="muted">None</span>}</dd>
              </div>
            </dl>
            <p class="muted settings-note">Only editors, admins and owners can change this project.</p>
          </>
        }
      >
        <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
          <TextField form={form} name="name" label="Project name" value={project().name} maxLength={100} required="Enter a name." onInput={() => setSaved(false)} />
          <TextAreaField form={form} name="description" label="Description" value={project().description} maxLength={500} onInput={() => setSaved(false)} />
          <FormAlert form={form} />
          <Show when={saved()}>
            <Notice tone="success">
              <p>Saved.</p>
            </Notice>
          </Show>
          <div class="form__actions">
            <SubmitButton form={form} pendingLabel="Saving…">
              Save changes
            </SubmitButton>
          </div>
        </form>
      </Show>
    </SettingsSection>
  );
}

function ArchiveSection() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const workspace = useWorkspace();
  const toasts = useToasts();
  const [problem, setProblem] = createSignal<string | null>(null);
  const toggle = createAction(
    async () => {
      setProblem(null);
      const archived = !project().archivedAt;
      await trpc.projects.setArchived.mutate({ orgId: org().id, projectId: project().id, archived });
      await workspace.refetchProject();
      toasts.success(archived ? `${project().name} is archived` : `${project().name} is active again`);
    },
    (p) => setProblem(p.message),
  );
  return (
    <SettingsSection
      id="archive"
      title={project().archivedAt ? "Unarchive" : "Archive"}
      lede={
        project().archivedAt
          ? "This project is archived: it is hidden from the organization’s project list."
          : "Archiving hides the project from the organization’s project list. Nothing is deleted."
      }
    >
      <div class="danger-row">
        <p>{project().archivedAt ? "Bring it back to the project list." : "You can unarchive it at any time."}</p>
        <Button disabled={toggle.pending()} onClick={() => void toggle.run()}>
          <BusyLabel busy={toggle.pending()} label={project().archivedAt ? "Unarchiving…" : "Archiving…"}>
            {project().archivedAt ? "Unarchive project" : "Archive project"}
          </BusyLabel>
        </Button>
      </div>
      <Alert message={problem()} />
    </SettingsSection>
  );
}

function RolesSection() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const toasts = useToasts();
  const [problem, setProblem] = createSignal<string | null>(null);
  const [search, setSearch] = createSignal("");
  // Members a page at a time (an org may have thousands), and the project's overrides of the
  // members shown: asked for by their ids, 200 at a time.
  const members = createPagedList(
    () => ({ orgId: org().id, search: search() || undefined }),
    (input, cursor) => trpc.orgs.members.list.query({ ...input, cursor }),
  );
  const [overrides, { refetch: refetchOverrides }] = createBrowserResource(
    () => ({ orgId: org().id, projectId: project().id, userIds: members.items().map((m) => m.userId) }),
    async ({ userIds, ...input }) => {
      const byUser = new Map<string, RoleName>();
      for (let at = 0; at < userIds.length; at += 200) {
        const page = await trpc.projects.roles.list.query({ ...input, userIds: userIds.slice(at, at + 200), limit: 200 });
        for (const o of page.items) byUser.set(o.userId, o.role);
      }
      return byUser;
    },
  );
  const refetch = () => Promise.all([members.refetch(), refetchOverrides()]);
  const [busy, setBusy] = createSignal<string | null>(null);
  const rows = createMemo(() => {
    const byUser = overrides.latest;
    return members.items().map((m) => ({ ...m, override: byUser?.get(m.userId) ?? null }));
  });

  const setRole = async (userId: string, name: string, select: HTMLSelectElement, previous: string) => {
    setProblem(null);
    setBusy(userId);
    const role = select.value === "" ? null : (select.value as "admin" | "editor" | "viewer");
    try {
      await trpc.projects.roles.set.mutate({ orgId: org().id, projectId: project().id, userId, role });
      await refetchOverrides();
      toasts.success(role ? `${name} is ${roleLabel(role).toLowerCase()} in this project` : `${name} has their organization role here again`);
    } catch (error) {
      select.value = previous;
      setProblem(problemOf(error).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <SettingsSection
      id="roles"
      title="Project roles"
      lede="By default everyone has their organization role in every project. Give someone a different role in this project only."
    >
      <MemberSearch id="roles-search" onSearch={setSearch} />
      <Alert message={problem()} />
      <Loaded of={members.first} what="the project roles" onRetry={() => void refetch()}>
        {() => (
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Roles in {project().name}</caption>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Organization role</th>
                  <th scope="col">Role in this project</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(row) => (
                    <tr>
                      <th scope="row" class="table__person">
                        <span class="table__primary">{row.name || row.email}</span>
                        <span class="table__secondary">{row.email}</span>
                      </th>
                      <td>
                        <Badge tone={row.role === "owner" ? "accent" : "neutral"}>{roleLabel(row.role)}</Badge>
                      </td>
                      <td>
                        <Show when={row.role !== "owner"} fallback={<span class="muted">Owners have every right</span>}>
                          <select
                            class="input select select--compact"
                            aria-label={`Role of ${row.name || row.email} in this project`}
                            disabled={busy() === row.userId}
                            onChange={(event) => void setRole(row.userId, row.name || row.email, event.currentTarget, row.override ?? "")}
                          >
                            <option value="" selected={row.override === null}>
                              Same as organization ({roleLabel(row.role)})
                            </option>
                            <For each={["admin", "editor", "viewer"] as const}>
                              {(role) => (
                                <option value={role} selected={row.override === role}>
                                  {roleLabel(role)}
                                </option>
                              )}
                            </For>
                          </select>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Show when={members.hasMore()}>
              <Button
                variant="secondary"
                disabled={members.loadingMore()}
                onClick={() => void members.loadMore().catch((error: unknown) => setProblem(problemOf(error).message))}
              >
                {members.loadingMore() ? "Loading…" : "Show more members"}
              </Button>
            </Show>
          </div>
        )}
      </Loaded>
    </SettingsSection>
  );
}

function DeleteSection() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const navigate = useNavigate();
  const toasts = useToasts();
  const [open, setOpen] = createSignal(false);
  const deleteProject = async (typed: string) => {
    const name = project().name;
    await trpc.projects.delete.mutate({ orgId: org().id, projectId: project().id, confirmSlug: typed });
    navigate(`/o/${org().slug}`, { replace: true });
    toasts.success(`${name} was deleted`);
  };
  return (
    <SettingsSection id="delete" title="Delete project" tone="danger" lede="Remove this project and its dashboards for everyone.">
      <div class="danger-row">
        <p>Members lose access to it at once. To keep it but put it away, archive it instead.</p>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete project…
        </Button>
      </div>
      <ConfirmDialog
        open={open()}
        onClose={() => setOpen(false)}
        tone="danger"
        title={`Delete ${project().name}?`}
        description={<p>Its dashboards go with it. This cannot be undone from the app.</p>}
        confirmLabel="Delete project"
        pendingLabel="Deleting…"
        typeToConfirm={{ text: project().slug, field: "confirmSlug" }}
        confirm={deleteProject}
      />
    </SettingsSection>
  );
}

/** A project's settings; each section only for members whose role in the project allows it. */
export default function ProjectSettings() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  const capabilities = useCapabilities();
  return (
    <div class="stack settings">
      <Title>Settings · {project().name} · {org().name} · Atrium</Title>
      <DetailsSection />
      <Show when={capabilities().has("project.update")}>
        <ArchiveSection />
      </Show>
      <Show when={capabilities().has("project.manage")}>
        <RolesSection />
        <DeleteSection />
      </Show>
    </div>
  );
}
