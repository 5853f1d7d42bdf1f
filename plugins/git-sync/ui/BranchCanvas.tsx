/**
 * A dashboard drawn as a branch holds it (`gitSync.runAtBranch`): the branch's title, its
 * variables and charts on the dashboards plugin's read-only canvas, with the results of the
 * branch's own queries. Progress is said while they run; a failing query shows its error in its
 * chart's place; a file that does not validate on the branch is said here with its lines.
 * Loaded only for `?branch=` (BranchView), so the dashboard page's first load stays small. The
 * logic is branch-run-store.ts.
 */
import { createEffect, For, on, Show } from "solid-js";
import { BusyLabel, Button, Notice } from "~/ui/components";
import { trpc } from "~/ui/trpc";
import { DashboardCanvas } from "../../dashboards/ui/published";
import { createBranchRunStore } from "./branch-run-store";

export default function BranchCanvas(props: { orgId: string; projectId: string; slug: string; branch: string }) {
  const store = createBranchRunStore({ run: (input) => trpc.gitSync.runAtBranch.query(input) });
  // Only the branch shown is tracked (the store's own signals are not).
  createEffect(
    on(
      () => ({ orgId: props.orgId, projectId: props.projectId, slug: props.slug, branch: props.branch }),
      (at) => void store.show(at),
    ),
  );
  const { answer, running, problem } = store;
  const doc = store.document;

  return (
    <section class="stack git-branch-charts" aria-label={`Charts on ${props.branch}`}>
      <div class="git-branch-facts">
        <Show when={doc()}>{(d) => <h2 class="git-branch-title">{d().title}</h2>}</Show>
        <Button class="btn--compact" variant="secondary" onClick={() => void store.refresh()} disabled={running()}>
          <BusyLabel busy={running()} label="Running…">
            Run again
          </BusyLabel>
        </Button>
      </div>
      <p class="muted" role="status" aria-live="polite" data-testid="git-branch-run-status">
        <Show when={running()} fallback={answer()?.run ? "The branch's queries ran just now." : ""}>
          Running the branch's queries…
        </Show>
      </p>
      <Show when={problem()}>
        {(p) => (
          <div role="alert">
            <Notice tone="warning" title="The branch's charts could not be run">
              {p().message}
            </Notice>
          </div>
        )}
      </Show>
      <Show when={answer()?.problems.length}>
        <div role="alert">
          <Notice tone="warning" title={`${answer()!.path} does not validate on ${answer()!.branch}: its charts cannot be drawn`}>
            <ul aria-label="Problems in the branch's file">
              <For each={answer()!.problems}>{(p) => <li>{p.line !== null ? `Line ${p.line}: ${p.message}` : p.message}</li>}</For>
            </ul>
          </Notice>
        </div>
      </Show>
      <Show when={doc()}>
        {(d) => (
          <DashboardCanvas
            doc={d()}
            resultFor={store.resultFor}
            running={running()}
            variables={d().variables ?? []}
            values={answer()?.run?.variables ?? store.values()}
            options={answer()?.run?.variableOptions ?? {}}
            onVariableChange={(name, value) => void store.setVariable(name, value)}
          />
        )}
      </Show>
    </section>
  );
}
