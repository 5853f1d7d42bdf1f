/**
 * "Usage" under Settings › AI agents: opens the org's "AI agent usage" dashboard (calls per
 * tool, per client, per day, errors), refreshed from the audit log, saved in the chosen project.
 */
import { useNavigate } from "@solidjs/router";
import { Show } from "solid-js";
import { Alert, createForm, FormAlert, SelectField, Spinner, SubmitButton } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { everyProject } from "~/ui/projects";

export function AgentUsage(props: { orgId: string }) {
  const navigate = useNavigate();
  const [projects] = createBrowserResource(() => props.orgId, (orgId) => everyProject(orgId));
  const form = createForm({
    validate: (data) => (data.get("projectId") ? null : { projectId: "Choose the project the dashboard is saved in" }),
    action: async (data) => {
      const { href } = await trpc.mcpOauth.usage.publish.mutate({ orgId: props.orgId, projectId: String(data.get("projectId")) });
      navigate(href);
    },
  });
  return (
    <>
      <h3>Usage</h3>
      <p class="muted">Tool calls per day, per tool and per client, and errors, from the audit log of the last 90 days: an Atrium dashboard over the warehouse table atrium_agent_usage, refreshed each time you open it.</p>
      <Show when={!projects.error} fallback={<Alert message={problemOf(projects.error).message} />}>
        <Show when={projects()} fallback={<Spinner label="Loading projects…" />}>
          {(list) => (
            <Show when={list().length} fallback={<p>Create a project first: the usage dashboard is saved in one.</p>}>
              <form class="stack" onSubmit={(e) => form.onSubmit(e)} novalidate>
                <SelectField form={form} name="projectId" label="Save the dashboard in" value={list()[0]!.id} options={list().map((p) => ({ value: p.id, label: p.name }))} />
                <FormAlert form={form} />
                <div>
                  <SubmitButton form={form} pendingLabel="Refreshing the usage…">
                    Open the usage dashboard
                  </SubmitButton>
                </div>
              </form>
            </Show>
          )}
        </Show>
      </Show>
    </>
  );
}
