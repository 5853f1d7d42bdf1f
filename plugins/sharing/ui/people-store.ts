/**
 * The People tab's logic, out of the JSX: who has access (loaded again after each change),
 * sharing with an address, and taking a share back. Takes the procedures it calls, so it is
 * tested with the real router and no browser.
 */
import { createSignal } from "solid-js";
import { problemOf, type Problem } from "~/ui/problems";
import type { AccessEntry } from "./api";

type Scope = { orgId: string; projectId: string; slug: string | null };

export interface PeopleApi {
  access: { query(input: Scope): Promise<{ entries: AccessEntry[] }> };
  share: { mutate(input: Scope & { email: string; role: "view" | "edit" }): Promise<{ grantId: string; created: boolean; hasAccount: boolean }> };
  revoke: { mutate(input: { orgId: string; projectId: string; grantId: string }): Promise<{ grantId: string }> };
}

export function createPeopleStore(api: PeopleApi, scope: () => Scope) {
  const [entries, setEntries] = createSignal<AccessEntry[] | null>(null);
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [rowProblem, setRowProblem] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);

  const load = async () => {
    try {
      setEntries((await api.access.query(scope())).entries);
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(problemOf(error));
    }
  };

  /** Shares with `email` at `role`; throws (for the form to show) when refused. */
  const share = async (email: string, role: "view" | "edit") => {
    setNotice(null);
    const result = await api.share.mutate({ ...scope(), email, role });
    await load();
    setNotice(
      result.created
        ? result.hasAccount
          ? `Shared with ${email}.`
          : `Shared with ${email}. It will count once they sign up with this address and confirm it.`
        : `${email} now can ${role}.`,
    );
    return result;
  };

  const revoke = async (entry: AccessEntry) => {
    if (!entry.grantId) return;
    setRowProblem(null);
    try {
      await api.revoke.mutate({ orgId: scope().orgId, projectId: scope().projectId, grantId: entry.grantId });
      await load();
      setNotice(`${entry.email} no longer has this share.`);
    } catch (error) {
      setRowProblem(problemOf(error).message);
    }
  };

  return { entries, loadProblem, rowProblem, notice, load, share, revoke };
}

export type PeopleStore = ReturnType<typeof createPeopleStore>;
