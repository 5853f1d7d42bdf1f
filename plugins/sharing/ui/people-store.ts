/**
 * The People tab's logic, out of the JSX: who has access, a page at a time and searchable
 * (the first page read again after each change),
 * sharing with an address, and taking a share back. Takes the procedures it calls, so it is
 * tested with the real router and no browser.
 */
import { createSignal } from "solid-js";
import { problemOf, type Problem } from "~/ui/problems";
import type { AccessEntry } from "./api";

type Scope = { orgId: string; projectId: string; slug: string | null };

export interface PeopleApi {
  access: { query(input: Scope & { search?: string; cursor?: string }): Promise<{ entries: AccessEntry[]; nextCursor: string | null }> };
  share: { mutate(input: Scope & { email: string; role: "view" | "edit" }): Promise<{ grantId: string; created: boolean; hasAccount: boolean }> };
  revoke: { mutate(input: { orgId: string; projectId: string; grantId: string }): Promise<{ grantId: string }> };
}

export function createPeopleStore(api: PeopleApi, scope: () => Scope) {
  const [entries, setEntries] = createSignal<AccessEntry[] | null>(null);
  const [next, setNext] = createSignal<string | null>(null);
  const [search, setSearchText] = createSignal("");
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [rowProblem, setRowProblem] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  // Each first page read counts: a slower, older answer (a search typed over) never replaces a newer one.
  let generation = 0;
  const input = (cursor?: string) => ({ ...scope(), ...(search() ? { search: search() } : {}), ...(cursor ? { cursor } : {}) });

  /** Reads the first page again (the later ones are dropped). */
  const load = async () => {
    const mine = ++generation;
    try {
      const page = await api.access.query(input());
      if (mine !== generation) return;
      setEntries(page.entries);
      setNext(page.nextCursor);
      setLoadProblem(null);
    } catch (error) {
      if (mine === generation) setLoadProblem(problemOf(error));
    }
  };

  /** Appends the next page; a failure is shown above the list. */
  const loadMore = async () => {
    const cursor = next();
    if (!cursor || loadingMore()) return;
    const mine = generation;
    setLoadingMore(true);
    setRowProblem(null);
    try {
      const page = await api.access.query(input(cursor));
      if (mine !== generation) return;
      setEntries((shown) => [...(shown ?? []), ...page.entries]);
      setNext(page.nextCursor);
    } catch (error) {
      setRowProblem(problemOf(error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  /** Keeps the people whose name or email holds `text` (all of them when empty). */
  const setSearch = (text: string) => {
    setSearchText(text.trim());
    void load();
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

  return { entries, hasMore: () => next() !== null, loadingMore, loadMore, search, setSearch, loadProblem, rowProblem, notice, load, share, revoke };
}

export type PeopleStore = ReturnType<typeof createPeopleStore>;
