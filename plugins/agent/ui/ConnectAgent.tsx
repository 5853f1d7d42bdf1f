/**
 * "Connect an AI agent" on the account page: the MCP URL, a token made for the agent (shown
 * once), and a ready-to-paste configuration for common MCP clients, each with a copy button.
 */
import { createMemo, createSignal, createUniqueId, For, onCleanup, onMount, Show } from "solid-js";
import { Button, CopyField, createForm, FormAlert, Link, Notice, SelectField, SubmitButton, TextField } from "~/ui/components";
import { CheckIcon, CopyIcon } from "~/ui/icons";
import { useSession } from "~/ui/session";
import { SettingsSection } from "~/ui/settings/Section";
import { trpc } from "~/ui/trpc";
import { snippetsFor, type Snippet } from "./snippets";
import "./connect-agent.css";

const ACCESS_OPTIONS = [
  { value: "read", label: "Read only" },
  { value: "write", label: "Read and write" },
];

const EXPIRY_OPTIONS = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "366", label: "1 year" },
];

/** A multi-line snippet with a Copy button; the status is announced to screen readers. */
function SnippetBlock(props: { snippet: Snippet }) {
  const id = `snippet-${createUniqueId()}`;
  const [status, setStatus] = createSignal<"idle" | "copied" | "select">("idle");
  let pre!: HTMLPreElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    clearTimeout(timer);
    try {
      await navigator.clipboard.writeText(props.snippet.text);
      setStatus("copied");
    } catch {
      const range = document.createRange();
      range.selectNodeContents(pre);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      pre.focus();
      setStatus("select");
    }
    timer = setTimeout(() => setStatus("idle"), 4000);
  };
  return (
    <div class="agent-snippet">
      <div class="agent-snippet__head">
        <span id={`${id}-label`} class="field__hint">
          {props.snippet.where}
        </span>
        <Button class="btn--compact" onClick={() => void copy()} aria-label={`Copy the ${props.snippet.label} configuration`}>
          <Show when={status() === "copied"} fallback={<CopyIcon class="icon" />}>
            <CheckIcon class="icon" />
          </Show>
          <span>{status() === "copied" ? "Copied" : "Copy"}</span>
        </Button>
      </div>
      <pre ref={pre} class="agent-snippet__code" tabindex="0" aria-labelledby={`${id}-label`} data-testid={`snippet-${props.snippet.id}`}>
        {props.snippet.text}
      </pre>
      <p class="visually-hidden" role="status">
        {status() === "copied" ? "Copied to the clipboard." : status() === "select" ? "Selected: press Control C (or Command C) to copy." : ""}
      </p>
    </div>
  );
}

export default function ConnectAgent() {
  const session = useSession();
  const orgs = () => session.user()?.orgs ?? [];
  // The address people's agents reach: this page's own origin (PUBLIC_URL behind a proxy).
  const [origin, setOrigin] = createSignal("");
  onMount(() => setOrigin(window.location.origin));
  const mcpUrl = () => (origin() ? `${origin()}/mcp` : "/mcp");
  const [created, setCreated] = createSignal<{ token: string; name: string; orgName: string; scopes: string[] } | null>(null);
  const [clientId, setClientId] = createSignal("claude-code");
  const snippets = createMemo(() => snippetsFor(mcpUrl(), created()?.token ?? null));
  const snippet = () => snippets().find((s) => s.id === clientId()) ?? snippets()[0]!;
  const clientSelectId = `agent-client-${createUniqueId()}`;

  const form = createForm({
    action: async (data) => {
      const orgId = String(data.get("orgId") ?? "");
      const access = String(data.get("access") ?? "read");
      const token = await trpc.auth.tokens.create.mutate({
        orgId,
        name: String(data.get("name") ?? ""),
        scopes: access === "write" ? ["read", "write"] : ["read"],
        expiresInDays: Number(data.get("expiresInDays") ?? "90"),
      });
      setCreated({ token: token.token, name: token.name, scopes: token.scopes, orgName: orgs().find((o) => o.id === orgId)?.name ?? "" });
    },
  });

  return (
    <SettingsSection
      id="agents"
      title="Connect an AI agent"
      lede="AI assistants that speak MCP (the Model Context Protocol) can work in Atrium for you: find and read dashboards, explore data, and build or change dashboards. They act as you, in one organization, and never do more than you can; the audit log shows what they did."
    >
      <CopyField label="MCP server URL" value={mcpUrl()} mono hint="Streamable HTTP. Agents sign in with a personal access token sent as a Bearer token." />

      <h3 class="subheading">1. Create a token for the agent</h3>
      <Show
        when={orgs().length > 0}
        fallback={
          <p class="muted">
            An agent works in an organization. <Link href="/orgs/new">Create an organization</Link> or accept an invitation first.
          </p>
        }
      >
        <form class="form form--grid" onSubmit={(event) => form.onSubmit(event)} novalidate aria-label="Create a token for an AI agent">
          <TextField
            form={form}
            name="name"
            label="Agent name"
            value="AI agent"
            hint="So you recognise it in your tokens and the audit log."
            autocomplete="off"
            maxLength={100}
            required="Name the agent."
            fieldClass="form--grid__wide"
          />
          <SelectField form={form} name="orgId" label="Organization" options={orgs().map((o) => ({ value: o.id, label: o.name }))} value={orgs()[0]?.id} />
          <SelectField form={form} name="access" label="Access" options={ACCESS_OPTIONS} value="read" />
          <SelectField form={form} name="expiresInDays" label="Expires after" options={EXPIRY_OPTIONS} value="90" />
          <p class="field__hint form--grid__wide">
            <strong>Read only</strong>: find and read dashboards, look at data sources and tables, run read-only queries.{" "}
            <strong>Read and write</strong>: also create, change and delete dashboards (and whatever else your role allows).
          </p>
          <div class="form__actions form--grid__wide">
            <SubmitButton form={form} pendingLabel="Creating token…">
              Create agent token
            </SubmitButton>
          </div>
          <div class="form--grid__wide">
            <FormAlert form={form} />
          </div>
        </form>
      </Show>

      <Show when={created()}>
        {(token) => (
          <div class="secret-box" data-testid="agent-token">
            <Notice tone="warning" title="Copy the token now">
              <p>
                This is the only time it is shown; the configuration below already contains it. Anyone who has it can act as you in {token().orgName}
                {token().scopes.includes("write") ? ", including changes" : " (read only)"}. Revoke it under Personal access tokens when the agent no longer needs it.
              </p>
            </Notice>
            <CopyField label={`Token “${token().name}”`} value={token().token} mono />
          </div>
        )}
      </Show>

      <h3 class="subheading">2. Add Atrium to your MCP client</h3>
      <div class="field">
        <label class="field__label" for={clientSelectId}>
          Your MCP client
        </label>
        <select id={clientSelectId} class="input select" value={clientId()} onChange={(event) => setClientId(event.currentTarget.value)}>
          <For each={snippets()}>
            {(s) => (
              <option value={s.id} selected={s.id === clientId()}>
                {s.label}
              </option>
            )}
          </For>
        </select>
      </div>
      <Show when={!created()}>
        <p class="field__hint">Create a token first, or replace “&lt;your token&gt;” with one you have.</p>
      </Show>
      <SnippetBlock snippet={snippet()} />

      <h3 class="subheading">3. Ask it something</h3>
      <ul class="agent-steps">
        <li>“Which dashboards do we have about revenue?”</li>
        <li>“Build a dashboard of weekly orders by country in project Alpha.”</li>
      </ul>
      <p class="muted">Your organization’s admins see what it does in the audit log (filter by “AI agents”).</p>
    </SettingsSection>
  );
}
