import { Title } from "@solidjs/meta";
import { A, useNavigate, useSearchParams } from "@solidjs/router";
import { createSignal, For, Show, Suspense } from "solid-js";
import { withArticle } from "~/ui/roles";
import {
  Alert,
  Badge,
  Button,
  createForm,
  Dialog,
  EmptyState,
  FormAlert,
  SubmitButton,
  TextAreaField,
} from "~/ui/components";
import { createPagedList, showMore } from "~/ui/paged";
import { MemberSearch } from "~/ui/settings/MemberSearch";
import { formatDate } from "~/ui/format";
import { FolderIcon, PlusIcon } from "~/ui/icons";
import { Loaded } from "~/ui/LoadStates";
import { Slot, useCapabilities, useSlot } from "~/ui/Slot";
import { NameAndSlugFields } from "~/ui/SlugFields";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";

function NewProjectDialog(props: { open: boolean; onClose: () => void; orgId: string; orgSlug: string }) {
  const navigate = useNavigate();
  const form = createForm({
    action: async (data) => {
      const project = await trpc.projects.create.mutate({
        orgId: props.orgId,
        name: String(data.get("name") ?? ""),
        slug: String(data.get("slug") ?? ""),
        description: String(data.get("description") ?? ""),
      });
      props.onClose();
      navigate(`/o/${props.orgSlug}/p/${project.slug}`);
    },
  });
  const close = () => {
    if (form.pending()) return;
    form.clear(); // the next opening starts without the last one's error
    props.onClose();
  };
  return (
    <Dialog open={props.open} onClose={close} title="New project" description="A project groups related dashboards and data sources.">
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <NameAndSlugFields
          form={form}
          nameLabel="Project name"
          namePlaceholder="Revenue reporting"
          slugLabel="Address"
          slugPrefix={`/o/${props.orgSlug}/p/`}
          slugHint="Lower-case letters, digits and hyphens."
        />
        <TextAreaField form={form} name="description" label="Description (optional)" maxLength={500} />
        <FormAlert form={form} />
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel="Creating project…">
            Create project
          </SubmitButton>
          <Button onClick={close} disabled={form.pending()}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** An org's home: the assistant first (when installed), the plugins' sections (recent dashboards), then its projects. */
export default function OrgHome() {
  const org = useCurrentOrg();
  const capabilities = useCapabilities();
  const canCreate = () => capabilities().has("project.create");
  const assistant = useSlot(() => "workspace.assistant" as const);
  const sections = useSlot(() => "org.home.sections" as const);
  const [params, setParams] = useSearchParams();
  const showArchived = () => params.archived === "1";
  const [creating, setCreating] = createSignal(false);
  const [search, setSearch] = createSignal("");
  const [problem, setProblem] = createSignal<string | null>(null);
  const projects = createPagedList(
    () => ({ orgId: org().id, includeArchived: showArchived(), search: search() || undefined }),
    (input, cursor) => trpc.projects.list.query({ ...input, cursor }),
  );

  return (
    <div class="stack">
      <Title>{org().name} · Atrium</Title>
      <header class="page-header page-header--split">
        <div>
          <p class="eyebrow">Organization</p>
          <h1 class="page-header__title">{org().name}</h1>
          <p class="page-header__lede">
            Projects in {org().name}. You’re <strong>{withArticle(org().role)}</strong> here.
          </p>
        </div>
        <Show when={canCreate()}>
          <Button variant="primary" onClick={() => setCreating(true)}>
            <PlusIcon class="icon" />
            New project
          </Button>
        </Show>
      </header>

      <Show when={assistant().length > 0}>
        <Slot name="workspace.assistant" props={{ projectId: null, place: "org.home" }} />
      </Show>
      <Show when={sections().length > 0}>
        <Suspense>
          <Slot name="org.home.sections" />
        </Suspense>
      </Show>

      <div class="toolbar">
        <h2 class="toolbar__title">Projects</h2>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            checked={showArchived()}
            onChange={(event) => setParams({ archived: event.currentTarget.checked ? "1" : undefined }, { replace: true })}
          />
          <span class="switch__track" aria-hidden="true" />
          <span>Show archived projects</span>
        </label>
      </div>
      <MemberSearch id="projects-search" label="Find a project" placeholder="Name or slug" onSearch={setSearch} />
      <Alert message={problem()} />

      <Loaded of={projects.first} what="the projects" onRetry={() => void projects.refetch()}>
        {() => (
          <Show
            when={projects.items().length > 0 || search() !== ""}
            fallback={
              <EmptyState title="No projects yet" icon={<FolderIcon class="icon icon--lg" />}>
                <p class="empty-state__lede">
                  {canCreate()
                    ? "Create a project to start building dashboards with your team."
                    : "When an owner, admin or editor creates a project, it appears here."}
                </p>
                <Show when={canCreate()}>
                  <div class="empty-state__actions">
                    <Button variant="primary" onClick={() => setCreating(true)}>
                      <PlusIcon class="icon" />
                      Create a project
                    </Button>
                  </div>
                </Show>
              </EmptyState>
            }
          >
            <ul class="cards" aria-label="Projects">
              <For each={projects.items()} fallback={<li class="muted">No project matches “{search()}”.</li>}>
                {(project) => (
                  <li class="card" classList={{ "card--muted": !!project.archivedAt }}>
                    <div class="card__head">
                      <FolderIcon class="icon card__icon" />
                      <A href={`/o/${org().slug}/p/${project.slug}`} class="card__link" activeClass="" inactiveClass="">
                        {project.name}
                      </A>
                      <Show when={project.archivedAt}>
                        <Badge tone="warning">Archived</Badge>
                      </Show>
                    </div>
                    <p class="card__text">{project.description || <span class="muted">No description</span>}</p>
                    <p class="card__meta">
                      <span class="mono">{project.slug}</span> · updated {formatDate(project.updatedAt)}
                    </p>
                  </li>
                )}
              </For>
            </ul>
            <Show when={projects.hasMore()}>
              <Button variant="secondary" disabled={projects.loadingMore()} onClick={() => void showMore(projects, setProblem)}>
                {projects.loadingMore() ? "Loading…" : "Show more projects"}
              </Button>
            </Show>
          </Show>
        )}
      </Loaded>
      <Show when={canCreate()}>
        <NewProjectDialog open={creating()} onClose={() => setCreating(false)} orgId={org().id} orgSlug={org().slug} />
      </Show>
    </div>
  );
}
