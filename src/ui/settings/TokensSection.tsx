import { createSignal, For, Show } from "solid-js";
import {
  Alert,
  Badge,
  Button,
  CheckboxGroup,
  CopyField,
  createForm,
  ConfirmDialog,
  FormAlert,
  Link,
  Notice,
  SelectField,
  SubmitButton,
  TextField,
} from "../components";
import { createBrowserResource, type RouterOutputs } from "../data";
import { formatDate, formatRelative } from "../format";
import { Loaded } from "../LoadStates";
import { useSession } from "../session";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { SettingsSection } from "./Section";

type Token = RouterOutputs["auth"]["tokens"]["list"][number];
type CreatedToken = RouterOutputs["auth"]["tokens"]["create"];

const EXPIRY_OPTIONS = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "366", label: "1 year" },
  { value: "never", label: "No expiry (not recommended)" },
];

const SCOPE_OPTIONS = [
  { value: "read", label: "Read", description: "See projects, dashboards and data" },
  { value: "write", label: "Write", description: "Change them too (includes read)" },
];

function tokenStatus(token: Token, now = Date.now()): { label: string; tone: "success" | "neutral" | "danger" } {
  if (token.revokedAt) return { label: "Revoked", tone: "neutral" };
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= now) return { label: "Expired", tone: "danger" };
  return { label: "Active", tone: "success" };
}

/**
 * Where the section offers tokens: the account page offers the person's orgs; a plugin's page may
 * offer others (sharing offers the orgs where something is shared with them, a token there
 * reaching only what is shared) and then lists only the tokens of those orgs.
 */
export interface TokensScope {
  id: string;
  title: string;
  lede: string;
  orgs: () => ReadonlyArray<{ id: string; name: string }>;
}

/** Personal access tokens for the CLI and MCP clients: one org each, scoped, expiring, revocable. */
export function TokensSection(props: { scope?: TokensScope }) {
  const session = useSession();
  const toasts = useToasts();
  const orgs = () => props.scope?.orgs() ?? session.user()?.orgs ?? [];
  const [tokens, { refetch }] = createBrowserResource(
    () => true,
    async () => {
      const all = await trpc.auth.tokens.list.query();
      if (!props.scope) return all;
      const offered = new Set(props.scope.orgs().map((o) => o.id));
      return all.filter((t) => offered.has(t.orgId));
    },
  );
  const [created, setCreated] = createSignal<(CreatedToken & { orgName: string }) | null>(null);
  const [problem, setProblem] = createSignal<string | null>(null);

  const form = createForm({
    validate: (data) => (data.getAll("scopes").length === 0 ? { scopes: "Choose at least one scope." } : undefined),
    action: async (data, element) => {
      setCreated(null);
      const orgId = String(data.get("orgId") ?? "");
      const expiry = String(data.get("expiresInDays") ?? "90");
      const token = await trpc.auth.tokens.create.mutate({
        orgId,
        name: String(data.get("name") ?? ""),
        scopes: data.getAll("scopes").map(String) as Array<"read" | "write">,
        expiresInDays: expiry === "never" ? null : Number(expiry),
      });
      setCreated({ ...token, orgName: orgs().find((o) => o.id === orgId)?.name ?? "" });
      const name = element.elements.namedItem("name");
      if (name instanceof HTMLInputElement) name.value = "";
      void refetch();
    },
  });

  // Revoking breaks whatever uses the token at once (a CLI, an agent): confirmed first.
  const [revoking, setRevoking] = createSignal<Token | null>(null);
  const revoke = async () => {
    const token = revoking();
    if (!token) return;
    setProblem(null);
    await trpc.auth.tokens.revoke.mutate({ tokenId: token.id });
    if (created()?.id === token.id) setCreated(null);
    await refetch();
    toasts.success(`Token “${token.name}” was revoked`);
  };

  return (
    <SettingsSection
      id={props.scope?.id ?? "tokens"}
      title={props.scope?.title ?? "Personal access tokens"}
      lede={props.scope?.lede ?? "Tokens let the Atrium CLI and AI agents (MCP clients) act as you in one organization. They can never do more than you can."}
    >
      <Show
        when={orgs().length > 0}
        fallback={
          <p class="muted">
            A token belongs to an organization. <Link href="/orgs/new">Create an organization</Link> or accept an invitation first.
          </p>
        }
      >
        <form class="form form--grid" onSubmit={(event) => form.onSubmit(event)} novalidate aria-label="Create a token">
          <TextField
            form={form}
            name="name"
            label="Token name"
            hint="What it is for, so you recognise it later: “Laptop CLI”, “Desktop assistant”."
            autocomplete="off"
            maxLength={100}
            required="Give the token a name."
            fieldClass="form--grid__wide"
          />
          <SelectField form={form} name="orgId" label="Organization" options={orgs().map((o) => ({ value: o.id, label: o.name }))} value={orgs()[0]?.id} />
          <SelectField form={form} name="expiresInDays" label="Expires after" options={EXPIRY_OPTIONS} value="90" />
          <div class="form--grid__wide">
            <CheckboxGroup form={form} name="scopes" legend="Scopes" options={SCOPE_OPTIONS} checked={["read"]} />
          </div>
          <div class="form__actions form--grid__wide">
            <SubmitButton form={form} pendingLabel="Creating token…">
              Create token
            </SubmitButton>
          </div>
          <div class="form--grid__wide">
            <FormAlert form={form} />
          </div>
        </form>
      </Show>

      <Show when={created()}>
        {(token) => (
          <div class="secret-box" data-testid="new-token">
            <Notice tone="warning" title="Copy your new token now">
              <p>
                This is the only time it is shown. Store it like a password: anyone who has it can act as you in {token().orgName}. If you
                lose it, revoke it and create another.
              </p>
            </Notice>
            <CopyField label={`Token “${token().name}”`} value={token().token} mono />
            <div>
              <Button onClick={() => setCreated(null)}>I’ve copied it</Button>
            </div>
          </div>
        )}
      </Show>

      <h3 class="subheading">Your tokens</h3>
      {/* auth.tokens.list: live tokens (at most 100 a person), and those ended in the last 30 days. */}
      <p class="muted">Up to 100 active tokens across your organizations. Revoked and expired ones stay listed for 30 days.</p>
      <Alert message={problem()} />
      <Loaded of={tokens} what="your tokens" onRetry={() => void refetch()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted">You have no tokens yet.</p>}>
            <div class="table-wrap">
              <table class="table">
                <caption class="visually-hidden">Your personal access tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={list()}>
                    {(token) => (
                      <tr classList={{ "table__row--muted": tokenStatus(token).label !== "Active" }}>
                        <th scope="row" class="table__person">
                          <span class="table__primary">{token.name}</span>
                          <span class="table__secondary">
                            {token.orgName} · created {formatDate(token.createdAt)}
                          </span>
                        </th>
                        <td>
                          <span class="badges">
                            <For each={token.scopes}>{(scope) => <Badge>{scope}</Badge>}</For>
                          </span>
                        </td>
                        <td>{token.expiresAt ? formatDate(token.expiresAt) : "Never"}</td>
                        <td>{token.lastUsedAt ? formatRelative(token.lastUsedAt) : <span class="muted">Never</span>}</td>
                        <td>
                          <Badge tone={tokenStatus(token).tone}>{tokenStatus(token).label}</Badge>
                        </td>
                        <td class="table__actions">
                          <Show when={tokenStatus(token).label === "Active"}>
                            <Button
                              variant="ghost"
                              class="btn--compact btn--danger-text"
                              aria-label={`Revoke token ${token.name}…`}
                              onClick={() => setRevoking(token)}
                            >
                              Revoke…
                            </Button>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
          </Show>
        )}
      </Loaded>
      <ConfirmDialog
        open={revoking() !== null}
        onClose={() => setRevoking(null)}
        tone="danger"
        title={`Revoke “${revoking()?.name ?? ""}”?`}
        description={<p>Anything using this token (a CLI, an AI agent) stops working at once. This cannot be undone; create a new token if you need one.</p>}
        confirmLabel="Revoke token"
        pendingLabel="Revoking…"
        confirm={revoke}
      />
    </SettingsSection>
  );
}
