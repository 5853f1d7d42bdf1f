import { useNavigate } from "@solidjs/router";
import { createEffect, createSignal, Show } from "solid-js";
import { Alert, Button } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { everyProject } from "~/ui/projects";
import { useCurrentOrg } from "~/ui/workspace";
import { BADGE_TEXT } from "../task-board-store";
import type { TaskBoardStore } from "../task-board-store";
import type { WizardStore } from "../wizard-store";
import { AssistantBuild, firstDashboardPrompt } from "./AssistantBuild";
import { isGood } from "./check-chain";
import { StepActions } from "./StepActions";

/**
 * Step 5: a first dashboard from a template chosen by the data found (the sample gets the ready
 * revenue dashboard, other data a starter to edit), then its first run; finishing opens it. Or
 * with the assistant, asked to build it. Creating again (after going back) gives the same
 * dashboard: the task keeps the one it made while it lives.
 */
export function DashboardStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const org = useCurrentOrg();
  const navigate = useNavigate();
  const [asked, setAsked] = createSignal(false);
  const [way, setWay] = createSignal<"template" | "assistant">("template");
  const [hasDashboard, setHasDashboard] = createSignal(false);
  const [projects] = createBrowserResource(
    () => org().id,
    (orgId) => everyProject(orgId),
  );
  const entry = (id: string) => props.tasks.board()?.tasks.find((t) => t.id === id);
  const created = () => {
    const e = entry("dashboard.generate");
    const payload = e?.evidence?.payload as { slug?: string; projectId?: string } | undefined;
    return asked() && e && !e.activeRun && e.badge === "ok" && payload?.slug ? { slug: payload.slug, projectId: payload.projectId } : null;
  };
  /** When the dashboard the setup uses was last created or found (its evidence), as a number. */
  const generatedAt = () => Date.parse(entry("dashboard.generate")?.evidence?.observedAt ?? "");
  /** The first run counts once it ran after that: evidence of an older run says nothing of this dashboard. */
  const ran = () => {
    const e = entry("dashboard.run");
    return isGood(e) && Date.parse(e!.evidence?.observedAt ?? "") >= generatedAt();
  };
  // The run is due once the dashboard is there and no run was started since; derived from the
  // board, so a refused or overlapping start cannot leave the step waiting for ever.
  const [starting, setStarting] = createSignal(false);
  createEffect(() => {
    const made = created();
    if (!made || starting() || props.tasks.busy() !== null) return;
    const run = entry("dashboard.run");
    if (run?.activeRun || (run?.lastRun && Date.parse(run.lastRun.createdAt) >= generatedAt())) return;
    setStarting(true);
    void props.tasks.start("dashboard.run", { projectId: made.projectId, slug: made.slug }).finally(() => setStarting(false));
  });
  const address = () => {
    const made = created();
    const project = projects()?.find((p) => p.id === made?.projectId);
    return made && project ? `/o/${org().slug}/p/${project.slug}/d/${made.slug}` : null;
  };

  const create = async () => {
    const projectId = projects()?.[0]?.id;
    if (!projectId) return props.store.setError("Create a project first (step 1).");
    // Asked only once the start is recorded: until then the board may still show an earlier creation.
    if (await props.tasks.start("dashboard.generate", { projectId })) setAsked(true);
  };
  const finish = async (event: SubmitEvent) => {
    event.preventDefault();
    if (way() === "assistant") {
      const project = projects()?.[0];
      if (await props.store.save("dashboard", { via: "assistant", ...(project ? { projectSlug: project.slug } : {}) }, "finish")) navigate(project ? `/o/${org().slug}/p/${project.slug}/dashboards` : `/o/${org().slug}`);
      return;
    }
    const made = created();
    const project = projects()?.find((p) => p.id === made?.projectId);
    if (!made || !project) return;
    if (await props.store.save("dashboard", { slug: made.slug, projectSlug: project.slug }, "finish")) navigate(address()!);
  };

  return (
    <form class="stack" onSubmit={(e) => void finish(e)}>
      <fieldset class="stack">
        <legend class="field__label">How do you want to build it?</legend>
        <label class="wizard__choice">
          <input type="radio" name="dashboard-way" value="template" checked={way() === "template"} onChange={() => setWay("template")} />
          <span>
            <strong>From a template</strong>
            <span class="muted"> — Atrium picks one from the data it found: the sample shop gets a revenue dashboard; other data gets a starter you can edit.</span>
          </span>
        </label>
        <label class="wizard__choice">
          <input type="radio" name="dashboard-way" value="assistant" checked={way() === "assistant"} onChange={() => setWay("assistant")} />
          <span>
            <strong>With the assistant</strong>
            <span class="muted"> — describe what you want and it builds the dashboard with you.</span>
          </span>
        </label>
      </fieldset>
      <Show when={way() === "assistant"}>
        <AssistantBuild projectId={projects()?.[0]?.id ?? null} prompt={firstDashboardPrompt(props.store.session()?.answers.data as { choice?: string; table?: string } | undefined)} onDashboard={setHasDashboard} />
      </Show>
      <Show when={way() === "template"}>
        <div>
          <Button type="button" variant="secondary" onClick={() => void create()} disabled={asked() || props.tasks.busy() !== null}>
            Create my first dashboard
          </Button>
        </div>
      </Show>
      <Show when={way() === "template" && asked()}>
        <p role="status">
          Dashboard: {created() ? "created" : "creating…"}
          <Show when={created()}> · first run: {ran() ? BADGE_TEXT[entry("dashboard.run")!.badge] : "running…"}</Show>
        </p>
      </Show>
      <Alert message={props.tasks.errors()["dashboard.generate"] ?? props.tasks.errors()["dashboard.run"]} />
      <StepActions
        busy={props.store.busy()}
        disabled={way() === "assistant" ? !hasDashboard() : !ran()}
        label={way() === "assistant" ? "Finish and see my dashboards" : "Finish and open the dashboard"}
        onBack={() => void props.store.save("dashboard", {}, "back")}
      />
    </form>
  );
}
