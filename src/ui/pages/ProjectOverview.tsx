import { Title } from "@solidjs/meta";
import { Show } from "solid-js";
import { EmptyState, Notice } from "~/ui/components";
import { formatDate } from "~/ui/format";
import { ChartIcon } from "~/ui/icons";
import { roleLabel } from "~/ui/roles";
import { useCurrentOrg, useCurrentProject } from "~/ui/workspace";

/** A project's overview. Dashboards arrive with the dashboards plugin (its `project.tabs`). */
export default function ProjectOverview() {
  const org = useCurrentOrg();
  const project = useCurrentProject();
  return (
    <div class="stack">
      <Title>{project().name} · {org().name} · Atrium</Title>
      <Show when={project().archivedAt}>
        <Notice tone="warning" title="This project is archived.">
          <p>It is hidden from the organization’s project list. Unarchive it in its settings to bring it back.</p>
        </Notice>
      </Show>
      <EmptyState title="No dashboards yet" headingLevel="h2" icon={<ChartIcon class="icon icon--lg" />}>
        <p class="empty-state__lede">Dashboards in this project will appear here.</p>
      </EmptyState>
      <section class="panel" aria-labelledby="project-details">
        <h2 id="project-details" class="panel__title">
          About this project
        </h2>
        <dl class="details">
          <div class="details__row">
            <dt>Address</dt>
            <dd class="mono">
              /o/{org().slug}/p/{project().slug}
            </dd>
          </div>
          <div class="details__row">
            <dt>Your role here</dt>
            <dd>{roleLabel(project().role)}</dd>
          </div>
          <div class="details__row">
            <dt>Created</dt>
            <dd>{formatDate(project().createdAt)}</dd>
          </div>
          <div class="details__row">
            <dt>Last changed</dt>
            <dd>{formatDate(project().updatedAt)}</dd>
          </div>
        </dl>
      </section>
    </div>
  );
}
