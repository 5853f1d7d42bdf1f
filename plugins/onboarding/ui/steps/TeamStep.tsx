import { createSignal, For, Index } from "solid-js";
import { Button } from "~/ui/components";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";

type Invite = { email: string; role: "admin" | "editor" | "viewer"; sent?: boolean };

/** Step 2 (skippable): invite people with a role; each invitation is mailed a single-use link. */
export function TeamStep(props: { store: WizardStore }) {
  const org = useCurrentOrg();
  const saved = () => ((props.store.session()?.answers.team as { invited?: Invite[] } | undefined)?.invited ?? []);
  const [rows, setRows] = createSignal<Invite[]>(saved().length ? saved() : [{ email: "", role: "editor" }]);
  const filled = () => rows().filter((r) => r.email.trim());
  const update = (i: number, patch: Partial<Invite>) => setRows((all) => all.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const sent = new Set(saved().filter((r) => r.sent).map((r) => r.email));
    for (const row of filled()) {
      if (sent.has(row.email.trim())) continue;
      try {
        await trpc.orgs.invitations.create.mutate({ orgId: org().id, email: row.email.trim(), role: row.role });
      } catch (err) {
        const problem = problemOf(err);
        // Already a member or already invited: nothing more to send.
        if (problem.code !== "CONFLICT") {
          props.store.setError(`${row.email}: ${problem.message}`);
          return;
        }
      }
    }
    await props.store.save("team", { invited: filled().map((r) => ({ email: r.email.trim(), role: r.role, sent: true })) }, filled().length ? "next" : "skip");
  };

  return (
    <form class="stack" onSubmit={(e) => void submit(e)} onInput={() => props.store.touch()}>
      <p class="muted">Invite the people you work with. You can do this later from the members page.</p>
      <Index each={rows()}>
        {(row, i) => (
          <div class="wizard__invite">
            <label class="field">
              <span class="field__label">Email of person {i + 1}</span>
              <input class="input" type="email" value={row().email} onInput={(e) => update(i, { email: e.currentTarget.value })} />
            </label>
            <label class="field">
              <span class="field__label">Role of person {i + 1}</span>
              <select class="input select" value={row().role} onChange={(e) => update(i, { role: e.currentTarget.value as Invite["role"] })}>
                <For each={["viewer", "editor", "admin"] as const}>{(r) => <option value={r} selected={r === row().role}>{r}</option>}</For>
              </select>
            </label>
          </div>
        )}
      </Index>
      <div>
        <Button type="button" variant="secondary" onClick={() => setRows((all) => [...all, { email: "", role: "editor" }])} disabled={rows().length >= 20}>
          Add another person
        </Button>
      </div>
      <StepActions
        skippable
        busy={props.store.busy()}
        label={filled().length ? "Invite and continue" : "Continue"}
        onBack={() => void props.store.save("team", { invited: filled().map((r) => ({ email: r.email.trim(), role: r.role, sent: saved().some((s) => s.sent && s.email === r.email.trim()) })) }, "back")}
        onSkip={() => void props.store.save("team", undefined, "skip")}
      />
    </form>
  );
}
