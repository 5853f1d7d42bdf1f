/**
 * The Embed tab's logic: the dashboard's embed settings (keys, allowed origins, its id and
 * variables, the revocation cutoff), loaded again after each change; a new key (shown once and
 * kept here until the dialog closes); the origins; "revoke all embeds"; a test token. Takes
 * the procedures it calls, so it is tested without a browser. Each action's failure is kept
 * under its own section, where it happened.
 */
import { createSignal } from "solid-js";
import { problemOf, type Problem } from "~/ui/problems";
import type { RouterOutputs } from "~/ui/data";

type Scope = { orgId: string; projectId: string; slug: string };
type At = { orgId: string; projectId: string };
export type EmbedSettings = RouterOutputs["sharing"]["embeds"]["settings"];
export type TestTokenInput = { params: Record<string, unknown>; allowed: string[]; exports: Array<"csv" | "png" | "svg">; expiresInMinutes: number };

export interface EmbedsApi {
  settings: { query(input: Scope): Promise<EmbedSettings> };
  rotate: { mutate(input: At & { overlapHours: number }): Promise<{ keyId: string; secret: string }> };
  retire: { mutate(input: At & { keyId: string }): Promise<unknown> };
  setOrigins: { mutate(input: At & { origins: string[] }): Promise<{ origins: string[] }> };
  revokeAll: { mutate(input: Scope): Promise<{ revokedBefore: string }> };
  createToken: { mutate(input: Scope & TestTokenInput): Promise<{ token: string; url: string; expiresAt: string }> };
}

export type EmbedSection = "keys" | "origins" | "revoke" | "test";

export function createEmbedStore(api: EmbedsApi, scope: () => Scope) {
  const [settings, setSettings] = createSignal<EmbedSettings | null>(null);
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [problems, setProblems] = createSignal<Partial<Record<EmbedSection, string>>>({});
  const [newKey, setNewKey] = createSignal<{ keyId: string; secret: string } | null>(null);
  const [testUrl, setTestUrl] = createSignal<{ url: string; expiresAt: string } | null>(null);
  const [busy, setBusy] = createSignal<EmbedSection | null>(null);
  const at = () => ({ orgId: scope().orgId, projectId: scope().projectId });

  const load = async () => {
    try {
      setSettings(await api.settings.query(scope()));
      setLoadProblem(null);
    } catch (error) {
      setLoadProblem(problemOf(error));
    }
  };

  /** Runs one section's action: its failure shows under that section; success reloads. */
  const run = async (section: EmbedSection, action: () => Promise<void>) => {
    setBusy(section);
    setProblems({ ...problems(), [section]: undefined });
    try {
      await action();
      await load();
    } catch (error) {
      setProblems({ ...problems(), [section]: problemOf(error).message });
    } finally {
      setBusy(null);
    }
  };

  return {
    settings,
    loadProblem,
    problems,
    newKey,
    testUrl,
    busy,
    load,
    rotate: (overlapHours: number) =>
      run("keys", async () => {
        setNewKey(await api.rotate.mutate({ ...at(), overlapHours }));
      }),
    retire: (keyId: string) =>
      run("keys", async () => {
        await api.retire.mutate({ ...at(), keyId });
      }),
    saveOrigins: (text: string) =>
      run("origins", async () => {
        const origins = text
          .split(/[\s,]+/)
          .map((o) => o.trim())
          .filter(Boolean);
        await api.setOrigins.mutate({ ...at(), origins });
      }),
    revokeAll: () =>
      run("revoke", async () => {
        await api.revokeAll.mutate(scope());
      }),
    testToken: (input: TestTokenInput) =>
      run("test", async () => {
        const made = await api.createToken.mutate({ ...scope(), ...input });
        setTestUrl({ url: made.url, expiresAt: made.expiresAt });
      }),
  };
}
