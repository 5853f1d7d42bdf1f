import { createSignal, For, Show } from "solid-js";
import { Alert, Button, createAction, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { Loaded } from "~/ui/LoadStates";
import { trpc } from "~/ui/trpc";
import "./onboarding.css";
import { useCurrentOrg } from "~/ui/workspace";

/** Roles as a phrase: "an owner or admin". */
function rolesPhrase(roles: readonly string[]): string {
  if (roles.length === 0) return "nobody";
  const names = roles.length > 1 ? `${roles.slice(0, -1).join(", ")} or ${roles[roles.length - 1]}` : roles[0]!;
  return /^[aeiou]/.test(names) ? `an ${names}` : `a ${names}`;
}

/**
 * Slot `org.home.sections`: the setup checklist, from the org's computed status, until setup is
 * done. Each person may hide it; an owner or admin may show it again to everyone.
 */
export default function SetupChecklist() {
  const org = useCurrentOrg();
  const [problem, setProblem] = createSignal<string | null>(null);
  const [checklist, { refetch }] = createBrowserResource(
    () => org().id,
    (orgId) => trpc.onboarding.checklist.get.query({ orgId }),
  );
  const dismiss = createAction(
    async () => {
      await trpc.onboarding.checklist.dismiss.mutate({ orgId: org().id });
      await refetch();
    },
    (p) => setProblem(p.message),
  );
  const restore = createAction(
    async () => {
      await trpc.onboarding.checklist.restore.mutate({ orgId: org().id });
      await refetch();
    },
    (p) => setProblem(p.message),
  );

  return (
    <Loaded of={checklist} what="the setup checklist" onRetry={() => void refetch()}>
      {(data) => (
        <Show when={data().status.stage !== "done"}>
          <Show
            when={!data().dismissed}
            fallback={
              <Show when={data().canRestore}>
                <section class="toolbar" aria-labelledby="setup-hidden">
                  <h2 id="setup-hidden" class="toolbar__title">
                    Setup checklist hidden
                  </h2>
                  <Button onClick={() => void restore.run()} disabled={restore.pending()}>
                    Show the setup checklist again
                  </Button>
                  <Alert message={problem()} />
                </section>
              </Show>
            }
          >
            <section class="stack setup-checklist" aria-labelledby="setup-checklist">
              <div class="toolbar">
                <h2 id="setup-checklist" class="toolbar__title">
                  Set up {org().name}
                </h2>
                <Show when={data().canRestore}>
                  <Link href={`/o/${org().slug}/setup`} variant="button-primary">
                    Guided setup
                  </Link>
                </Show>
                <Link href={`/o/${org().slug}/setup/tasks`} variant="button-secondary">
                  Setup tasks
                </Link>
                <Button onClick={() => void dismiss.run()} disabled={dismiss.pending()} aria-label="Hide the setup checklist">
                  Hide
                </Button>
              </div>
              <ol class="setup-checklist__steps" aria-label="Setup steps">
                <For each={data().status.stages}>
                  {(stage) => (
                    <li classList={{ "setup-checklist__step": true, "setup-checklist__step--done": stage.done, "setup-checklist__step--current": stage.id === data().status.stage }} aria-current={stage.id === data().status.stage ? "step" : undefined}>
                      <span class="setup-checklist__mark" aria-hidden="true">
                        {stage.done ? "✓" : "○"}
                      </span>{" "}
                      {stage.label}
                      <Show when={stage.done}>
                        <span class="visually-hidden"> (done)</span>
                      </Show>
                    </li>
                  )}
                </For>
              </ol>
              <Show when={data().status.nextStep}>
                {(step) => (
                  <div class="notice notice--info" role="status">
                    <p>
                      <strong>Next:</strong> {step().what}
                      <Show when={data().status.detail === "failing"}> The last run failed.</Show>
                    </p>
                    <Show
                      when={step().who.you}
                      fallback={<p class="muted">Ask {rolesPhrase(step().who.roles)} of {org().name} to do this.</p>}
                    >
                      <Link href={step().link} variant="button-primary">
                        Do this now
                      </Link>
                    </Show>
                  </div>
                )}
              </Show>
              <Alert message={problem()} />
            </section>
          </Show>
        </Show>
      )}
    </Loaded>
  );
}
