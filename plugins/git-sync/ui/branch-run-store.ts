/**
 * The branch view's charts without the JSX (BranchCanvas lays it out): which branch is shown,
 * the run of its queries (`gitSync.runAtBranch`), progress, the variables chosen for it, and what
 * each chart shows. Another branch (or dashboard) starts from its own defaults, and an answer
 * that arrives after a newer request is dropped, so a branch's charts never show under
 * another's facts.
 */
import { createSignal } from "solid-js";
import type { RouterInputs, RouterOutputs } from "~/ui/data";
import { problemOf, type Problem } from "~/ui/problems";

export type BranchRun = RouterOutputs["gitSync"]["runAtBranch"];
export type BranchRunInput = RouterInputs["gitSync"]["runAtBranch"];
export interface BranchTarget {
  orgId: string;
  projectId: string;
  slug: string;
  branch: string;
}

const keyOf = (t: BranchTarget) => [t.orgId, t.projectId, t.slug, t.branch].join("\u0000");

export function createBranchRunStore(api: { run: (input: BranchRunInput) => Promise<BranchRun> }) {
  const [target, setTarget] = createSignal<BranchTarget | null>(null);
  const [answer, setAnswer] = createSignal<BranchRun | null>(null);
  const [running, setRunning] = createSignal(false);
  const [problem, setProblem] = createSignal<Problem | null>(null);
  const [values, setValues] = createSignal<Record<string, unknown>>({});
  let seq = 0;

  const execute = async (refresh: boolean): Promise<void> => {
    const at = target();
    if (!at) return;
    const mine = ++seq;
    setRunning(true);
    try {
      const out = await api.run({ ...at, variables: values(), refresh });
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

  return {
    target,
    answer,
    running,
    problem,
    /** The values chosen here (the branch's defaults fill the rest: see `answer().run.variables`). */
    values,
    document: () => answer()?.document ?? null,
    /** Shows `at` and runs its queries; a different branch or dashboard drops what was shown and the values chosen. */
    show(at: BranchTarget): Promise<void> {
      const current = target();
      if (!current || keyOf(current) !== keyOf(at)) {
        setAnswer(null);
        setProblem(null);
        setValues({});
      }
      setTarget(at);
      return execute(false);
    },
    setVariable(name: string, value: unknown): Promise<void> {
      setValues({ ...values(), [name]: value });
      return execute(false);
    },
    /** Runs again, past the cache. */
    refresh: () => execute(true),
    /** What a chart shows: undefined while its first run is going (or for a text), else its query's result or error. */
    resultFor(chartId: string) {
      const out = answer();
      const chart = out?.document?.charts?.find((c) => c.id === chartId);
      if (!chart || chart.type === "text" || !out?.run) return undefined;
      return out.run.results[chart.query] ?? { ok: false as const, error: { code: "missing", message: `The query “${chart.query}” gave no result.` } };
    },
  };
}

export type BranchRunStore = ReturnType<typeof createBranchRunStore>;
