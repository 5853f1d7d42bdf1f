import { createSignal, For, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";
import { GOAL_OPTIONS, ROLE_OPTIONS, type WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";

/** Step 1: the organization's name, your role, what you want to do (and a first project when there is none). */
export function WorkspaceStep(props: { store: WizardStore }) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const saved = () => (props.store.session()?.answers.workspace ?? {}) as { orgName?: string; role?: string; goal?: string; projectName?: string };
  const [orgName, setOrgName] = createSignal(saved().orgName ?? org().name);
  const [role, setRole] = createSignal(saved().role ?? "");
  const [goal, setGoal] = createSignal(saved().goal ?? "");
  const [projectName, setProjectName] = createSignal(saved().projectName ?? "Analytics");
  const [projects] = createBrowserResource(
    () => org().id,
    // Whether the org has a live project at all: one is enough to know.
    (orgId) => trpc.projects.list.query({ orgId, includeArchived: false, limit: 1 }),
  );
  const needsProject = () => (projects()?.items.length ?? 1) === 0;
  const answers = () => ({ orgName: orgName(), role: role() || undefined, goal: goal() || undefined, ...(needsProject() ? { projectName: projectName() } : {}) });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!(await props.store.save("workspace", answers(), "stay"))) return;
    try {
      if (orgName().trim() !== org().name) {
        await trpc.orgs.rename.mutate({ orgId: org().id, name: orgName().trim() });
        await workspace.refetchOrg();
      }
      if (needsProject()) {
        const slug = projectName().trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "analytics";
        await trpc.projects.create.mutate({ orgId: org().id, slug, name: projectName().trim() });
      }
    } catch (err) {
      props.store.setError((err as Error).message);
      return;
    }
    await props.store.save("workspace", answers(), "next");
  };

  return (
    <form class="stack" onSubmit={(e) => void submit(e)} onInput={() => props.store.touch()}>
      <label class="field">
        <span class="field__label">Organization name</span>
        <input class="input" name="orgName" required value={orgName()} onInput={(e) => setOrgName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span class="field__label">Your role</span>
        <select class="input select" name="role" required value={role()} onChange={(e) => setRole(e.currentTarget.value)}>
          <option value="" disabled selected={!role()}>
            Choose…
          </option>
          <For each={ROLE_OPTIONS}>{(o) => <option value={o.value} selected={o.value === role()}>{o.label}</option>}</For>
        </select>
      </label>
      <label class="field">
        <span class="field__label">What do you want to do?</span>
        <select class="input select" name="goal" required value={goal()} onChange={(e) => setGoal(e.currentTarget.value)}>
          <option value="" disabled selected={!goal()}>
            Choose…
          </option>
          <For each={GOAL_OPTIONS}>{(o) => <option value={o.value} selected={o.value === goal()}>{o.label}</option>}</For>
        </select>
      </label>
      <Show when={needsProject()}>
        <label class="field">
          <span class="field__label">First project</span>
          <input class="input" name="projectName" required value={projectName()} onInput={(e) => setProjectName(e.currentTarget.value)} />
          <span class="field__hint">Dashboards and data live in projects.</span>
        </label>
      </Show>
      <StepActions first busy={props.store.busy()} onBack={() => {}} />
    </form>
  );
}
