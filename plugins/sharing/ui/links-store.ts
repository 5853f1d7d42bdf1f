/**
 * The Public link tab's logic: the dashboard's links (loaded again after each change), creating
 * one (the URL comes back once and is kept here until the dialog closes), pausing, resuming and
 * revoking. Takes the procedures it calls, so it is tested without a browser.
 */
import { createSignal } from "solid-js";
import { problemOf, type Problem } from "~/ui/problems";
import type { LinkSummary } from "./api";

type Scope = { orgId: string; projectId: string; slug: string };
type Policy = Record<string, { mode: "locked"; value?: unknown } | { mode: "allowed"; values: unknown[] } | { mode: "free" }>;

export interface NewLinkInput {
  expiresInDays: number;
  password?: string;
  label?: string;
  variables: Policy;
  timeClamp?: { from?: string; to?: string } | null;
  exports: Array<"csv" | "png" | "svg">;
}

export interface LinksApi {
  list: { query(input: Scope): Promise<{ links: LinkSummary[] }> };
  create: { mutate(input: Scope & NewLinkInput): Promise<{ linkId: string; url: string; expiresAt: string }> };
  setPaused: { mutate(input: { orgId: string; projectId: string; linkId: string; paused: boolean }): Promise<unknown> };
  revoke: { mutate(input: { orgId: string; projectId: string; linkId: string }): Promise<unknown> };
}

/** The window event the store sends after a link is made or changed (the dashboard's public banner listens). */
export const LINKS_CHANGED = "atrium:public-links-changed";

export function createLinksStore(api: LinksApi, scope: () => Scope, onChanged: () => void = () => undefined) {
  const [links, setLinks] = createSignal<LinkSummary[] | null>(null);
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [rowProblem, setRowProblem] = createSignal<string | null>(null);
  const [created, setCreated] = createSignal<{ url: string; expiresAt: string } | null>(null);

  const load = async () => {
    try {
      setLinks((await api.list.query(scope())).links);
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(problemOf(error));
    }
  };

  const create = async (input: NewLinkInput) => {
    const out = await api.create.mutate({ ...scope(), ...input });
    setCreated({ url: out.url, expiresAt: out.expiresAt });
    onChanged();
    await load();
  };

  const change = async (link: LinkSummary, what: "pause" | "resume" | "revoke") => {
    setRowProblem(null);
    const at = { orgId: scope().orgId, projectId: scope().projectId, linkId: link.id };
    try {
      if (what === "revoke") await api.revoke.mutate(at);
      else await api.setPaused.mutate({ ...at, paused: what === "pause" });
      onChanged();
      await load();
    } catch (error) {
      setRowProblem(problemOf(error).message);
    }
  };

  return { links, loadProblem, rowProblem, created, load, create, change };
}
