import { useNavigate } from "@solidjs/router";
import { createEffect, createSignal, Show } from "solid-js";
import { Alert, Button } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import { BADGE_TEXT } from "../task-board-store";
import type { TaskBoardStore } from "../task-board-store";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";

/**
 * Step 5: a first dashboard from a template chosen by the data found (the sample gets the ready
 * revenue dashboard, other data a starter to edit), then its first run; finishing opens it.
 */
export function DashboardStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const org = useCurrentOrg();
  const navigate = useNavigate();
  const [asked, setAsked] = createSignal(false);
  const [projects] = createBrowserResource(
    () => org().id,
    (orgId) => trpc.projects.list.query({ orgId, includeArchived: false }),
  );
  const entry = (id: string) => props.tasks.board()?.tasks.find((t) => t.id === id);
  const created = () => {
    const e = entry("dashboard.generate");
    const payload = e?.evidence?.payload as { slug?: string; projectId?: string } | undefined;
    return asked() && e && !e.activeRun && e.badge === "ok" && payload?.slug ? { slug: payload.slug, projectId: payload.projectId } : null;
  };
  const ran = () => {
    const e = entry("dashboard.run");
    return !!e && !e.activeRun && e.evidence?.subject !== undefined && (e.badge === "ok" || e.badge === "warn") && ranAfterCreate();
  };
  let runStartedAt = 0;
  const ranAfterCreate = () => runStartedAt > 0 && Date.parse(entry("dashboard.run")?.evidence?.observedAt ?? "") >= runStartedAt - 5_000;
  createEffect(() => {
    const made = created();
    if (!made || runStartedAt) return;
    runStartedAt = Date.now();
    void props.tasks.start("dashboard.run", { projectId: made.projectId, slug: made.slug });
  });
  const address = () => {
    const made = created();
    const project = projects()?.find((p) => p.id === made?.projectId);
    return made && project ? `/o/${org().slug}/p/${project.slug}/d/${made.slug}` : null;
  };

  const create = async () => {
    const projectId = projects()?.[0]?.id;
    if (!projectId) return props.store.setError("Create a project first (step 1).");
    setAsked(true);
    await props.tasks.start("dashboard.generate", { projectId });
  };
  const finish = async (event: SubmitEvent) => {
    event.preventDefault();
    const made = created();
    const project = projects()?.find((p) => p.id === made?.projectId);
    if (!made || !project) return;
    if (await props.store.save("dashboard", { slug: made.slug, projectSlug: project.slug }, "finish")) navigate(address()!);
  };

  return (
    <form class="stack" onSubmit={(e) => void finish(e)}>
      <p class="muted">Atrium picks a template from the data it found: the sample shop gets a revenue dashboard; other data gets a starter you can edit.</p>
      <div>
        <Button type="button" variant="secondary" onClick={() => void create()} disabled={asked() || props.tasks.busy() !== null}>
          Create my first dashboard
        </Button>
      </div>
      <Show when={asked()}>
        <p role="status">
          Dashboard: {created() ? "created" : "creating…"}
          <Show when={created()}> · first run: {ran() ? BADGE_TEXT[entry("dashboard.run")!.badge] : "running…"}</Show>
        </p>
      </Show>
      <Alert message={props.tasks.errors()["dashboard.generate"] ?? props.tasks.errors()["dashboard.run"]} />
      <StepActions busy={props.store.busy()} disabled={!ran()} label="Finish and open the dashboard" onBack={() => void props.store.save("dashboard", {}, "back")} />
    </form>
  );
}
