/**
 * A dashboard drawn as a branch holds it (`gitSync.runAtBranch`): the branch's title, its
 * variables and charts on the dashboards plugin's read-only canvas, with the results of the
 * branch's own queries. Progress is said while they run; a failing query shows its error in its
 * chart's place; a file that does not validate on the branch is said here with its lines.
 * Loaded only for `?branch=` (BranchView), so the dashboard page's first load stays small.
 */
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { BusyLabel, Button, Notice } from "~/ui/components";
import type { RouterOutputs } from "~/ui/data";
import { problemOf, type Problem } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { DashboardCanvas } from "../../dashboards/ui/published";

type BranchRun = RouterOutputs["gitSync"]["runAtBranch"];

export default function BranchCanvas(props: { orgId: string; projectId: string; slug: string; branch: string }) {
  const [answer, setAnswer] = createSignal<BranchRun | null>(null);
  const [running, setRunning] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  // The branch's own variables (it may have others than the live dashboard): chosen here, not in the address; another branch starts from its defaults.
  const at = () => `${props.slug}\u0000${props.branch}`;
  const [chosen, setChosen] = createSignal<{ at: string; values: Record<string, unknown> }>({ at: "", values: {} });
  const values = createMemo(() => (chosen().at === at() ? chosen().values : {}), undefined, { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) });
  let seq = 0;
  const execute = async (refresh: boolean) => {
    const mine = ++seq;
    setRunning(true);
    try {
      const out = await trpc.gitSync.runAtBranch.query({ orgId: props.orgId, projectId: props.projectId, slug: props.slug, branch: props.branch, variables: values(), refresh });
      if (mine === seq) {
        setAnswer(out);
        setProblem(null);
      }
    } catch (error) {
      if (mine === seq) setProblem(problemOf(error));
    } finally {
      if (mine === seq) setRunning(false);
    }
  };
  let shownAt = "";
  createEffect(
    on([at, values], ([now]) => {
      // Another branch's charts are never shown under this one's facts.
      if (now !== shownAt) setAnswer(null);
      shownAt = now;
      void execute(false);
    }),
  );

  const doc = () => answer()?.document ?? null;
  const resultFor = (chartId: string) => {
    const chart = doc()?.charts?.find((c) => c.id === chartId);
    const run = answer()?.run;
    if (!chart || chart.type === "text" || !run) return undefined;
    return run.results[chart.query] ?? { ok: false as const, error: { code: "missing", message: `The query “${chart.query}” gave no result.` } };
  };

  return (
    <section class="stack git-branch-charts" aria-label={`Charts on ${props.branch}`}>
      <div class="git-branch-facts">
        <Show when={doc()}>{(d) => <h2 class="git-branch-title">{d().title}</h2>}</Show>
        <Button class="btn--compact" variant="secondary" onClick={() => void execute(true)} disabled={running()}>
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
            resultFor={resultFor}
            running={running()}
            variables={d().variables ?? []}
            values={answer()?.run?.variables ?? values()}
            options={answer()?.run?.variableOptions ?? {}}
            onVariableChange={(name, value) => setChosen({ at: at(), values: { ...values(), [name]: value } })}
          />
        )}
      </Show>
    </section>
  );
}
