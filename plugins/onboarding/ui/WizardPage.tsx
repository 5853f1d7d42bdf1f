import { Title } from "@solidjs/meta";
import { For, Match, onMount, Show, Switch } from "solid-js";
import { Alert, Button, Link, Notice } from "~/ui/components";
import { formatDateTime } from "~/ui/format";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import { WIZARD_STEPS } from "../wizard-steps";
import { LeaseBanner } from "./LeaseBanner";
import { DashboardStep } from "./steps/DashboardStep";
import { DataStep } from "./steps/DataStep";
import { TeamStep } from "./steps/TeamStep";
import { VerifyStep } from "./steps/VerifyStep";
import { WorkspaceStep } from "./steps/WorkspaceStep";
import { createTaskBoardStore } from "./task-board-store";
import { createWizardStore } from "./wizard-store";
import "./onboarding.css";

/** The guided setup: five steps, saved on the server as they go (resume anywhere), one editor at a time. */
export default function WizardPage() {
  const org = useCurrentOrg();
  const store = createWizardStore(
    {
      get: (i) => trpc.onboarding.wizard.get.query(i),
      open: (i) => trpc.onboarding.wizard.open.mutate(i),
      save: (i) => trpc.onboarding.wizard.save.mutate(i),
      takeOver: (i) => trpc.onboarding.wizard.takeOver.mutate(i),
      handOff: (i) => trpc.onboarding.wizard.handOff.mutate(i),
      resume: (i) => trpc.onboarding.wizard.resume.mutate(i),
      onLease: (i, onEvent) => {
        // The notice is a nicety on top of the regular look: a dropped stream changes nothing else.
        const subscription = trpc.onboarding.wizard.onLease.subscribe(i, { onData: onEvent, onError: () => {} });
        return () => subscription.unsubscribe();
      },
    },
    () => org().id,
  );
  const tasks = createTaskBoardStore(
    {
      list: (i) => trpc.onboarding.tasks.list.query(i),
      history: (i) => trpc.onboarding.tasks.history.query(i),
      start: (i) => trpc.onboarding.tasks.start.mutate(i),
      cancel: (i) => trpc.onboarding.tasks.cancel.mutate(i),
    },
    () => org().id,
  );
  onMount(() => void Promise.all([store.open(), tasks.refresh()]));
  const session = () => store.session();
  const editable = () => store.mine() && session()?.status !== "completed" && session()?.status !== "abandoned";

  return (
    <div class="stack wizard">
      <Title>Set up · {org().name} · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">{org().name}</p>
        <h1 class="page-header__title">Set up {org().name}</h1>
        <p class="page-header__lede">Five steps to a working dashboard. Your progress is saved as you go; come back on any device.</p>
      </header>
      <Show when={store.state()} fallback={<p class="muted">Loading the setup…</p>}>
        {(state) => (
          <>
            <Show when={!state().canManage}>
              <Notice tone="warning">
                <span id="wizard-read-only">Read-only: your role does not allow running the setup. An owner or admin can.</span>
              </Notice>
            </Show>
            <LeaseBanner store={store} />
            <Show when={session()}>
              {(s) => (
                <ol class="wizard__steps" aria-label="Setup steps">
                  <For each={WIZARD_STEPS}>
                    {(step) => (
                      <li classList={{ "wizard__step--current": step.step === s().currentStep, "wizard__step--done": step.step < s().currentStep || s().status === "completed" }} aria-current={step.step === s().currentStep && s().status !== "completed" ? "step" : undefined}>
                        {step.step}. {step.label}
                        <Show when={s().skipped.includes(step.id)}> (skipped)</Show>
                      </li>
                    )}
                  </For>
                </ol>
              )}
            </Show>
            <Alert message={store.error()} />
            <Show when={session()?.status === "completed"}>
              <Notice tone="success">
                <span>Setup is complete.</span>
              </Notice>
              <div class="wizard__actions">
                <Link href={`/o/${org().slug}`} variant="button-primary">
                  Go to {org().name}
                </Link>
                <Show when={state().canManage}>
                  <Button onClick={() => void store.restart()}>Run the setup again</Button>
                </Show>
              </div>
            </Show>
            <Show when={session()?.status === "abandoned" && session()}>
              {(s) => (
                <section class="card stack" aria-labelledby="wizard-abandoned-title">
                  <h2 id="wizard-abandoned-title">This setup was left unfinished</h2>
                  <p>
                    Nobody worked on it for a while{s().abandonedAt ? ` (set aside ${formatDateTime(s().abandonedAt!)})` : ""}. It stopped at step {s().currentStep}: {WIZARD_STEPS[s().currentStep - 1]!.label}.
                  </p>
                  <Show when={state().canManage}>
                    <div class="wizard__actions">
                      <Button variant="primary" onClick={() => void store.resume()} disabled={store.busy()}>
                        Resume where it stopped
                      </Button>
                      <Button onClick={() => void store.restart()} disabled={store.busy()}>
                        Start over
                      </Button>
                    </div>
                  </Show>
                </section>
              )}
            </Show>
            <Show when={editable() && session()}>
              {(s) => (
                <section class="card stack" aria-labelledby="wizard-step-title">
                  <h2 id="wizard-step-title">
                    Step {s().currentStep} of {WIZARD_STEPS.length}: {WIZARD_STEPS[s().currentStep - 1]!.label}
                  </h2>
                  <Switch>
                    <Match when={s().stepId === "workspace"}>
                      <WorkspaceStep store={store} />
                    </Match>
                    <Match when={s().stepId === "team"}>
                      <TeamStep store={store} />
                    </Match>
                    <Match when={s().stepId === "data"}>
                      <DataStep store={store} tasks={tasks} />
                    </Match>
                    <Match when={s().stepId === "verify"}>
                      <VerifyStep store={store} tasks={tasks} />
                    </Match>
                    <Match when={s().stepId === "dashboard"}>
                      <DashboardStep store={store} tasks={tasks} />
                    </Match>
                  </Switch>
                </section>
              )}
            </Show>
          </>
        )}
      </Show>
    </div>
  );
}
