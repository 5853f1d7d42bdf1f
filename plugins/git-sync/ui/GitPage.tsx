/**
 * The project's Git page: the connection and Disconnect (or, for members who may connect, the
 * GitHub App's install and repository picker, the GitHub OAuth authorization and its picker, and the form: address, trunk, subdirectory, token;
 * Test checks without saving, Connect tests, saves and imports),
 * the trunk's last sync with the files it could not import, and Sync now; then the conflicts
 * (ConflictsPanel) and the branches with the person's changes to commit (BranchesPanel).
 */
import type { RouteSectionProps } from "@solidjs/router";
import { createSignal, For, Show } from "solid-js";
import { Badge, BusyLabel, Button, ConfirmDialog, createForm, FormAlert, Notice, SubmitButton, TextField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { useCapabilities } from "~/ui/Slot";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg, useWorkspace } from "~/ui/workspace";
import { BranchesPanel } from "./BranchesPanel";
import { ConflictsPanel } from "./ConflictsPanel";
import { GithubAppConnect } from "./GithubAppConnect";
import { GithubOauthConnect } from "./GithubOauthConnect";
import { WebhookSection } from "./WebhookSection";
import "./git.css";

type Status = Awaited<ReturnType<typeof trpc.gitSync.status.query>>;
const connectedOf = (s: Status) => (s.connected ? s : null);

export default function GitPage(_props: RouteSectionProps) {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const capabilities = useCapabilities();
  const at = () => ({ orgId: org().id, projectId: workspace.currentProject()?.id ?? "" });
  const [status, { refetch }] = createBrowserResource(at, (key) => trpc.gitSync.status.query(key));
  const [syncing, setSyncing] = createSignal(false);
  const [message, setMessage] = createSignal<{ tone: "success" | "warning"; text: string } | null>(null);
  const [confirmDisconnect, setConfirmDisconnect] = createSignal(false);
  const disconnect = async () => {
    await trpc.gitSync.disconnect.mutate(at());
    setConfirmDisconnect(false);
    setMessage(null);
    await refetch();
  };

  const syncNow = async () => {
    setSyncing(true);
    setMessage(null);
    try {
      const result = await trpc.gitSync.sync.mutate(at());
      const conflicts = result.conflicts.length > 0 ? ` ${result.conflicts.length} in conflict: see Conflicts.` : "";
      setMessage({ tone: "success", text: `Synced ${result.commitSha.slice(0, 12)}: ${result.imported.length} imported, ${result.removed.length} removed, ${result.unchanged} unchanged.${conflicts}` });
      await refetch();
    } catch (e) {
      setMessage({ tone: "warning", text: problemOf(e).message });
    } finally {
      setSyncing(false);
    }
  };

  return (
    <div class="stack">
      <Show when={status.error}>
        <LoadFailed what="the repository connection" problem={problemOf(status.error)} onRetry={() => void refetch()} />
      </Show>
      {/* Reading latest of a failed resource throws: the error is shown above instead. */}
      <Show when={!status.error && status.latest}>
        {(s) => (
          <Show
            when={connectedOf(s())}
            fallback={
              <Show when={capabilities().has("git-sync.connect")} fallback={<p class="muted">This project is not connected to a git repository.</p>}>
                <GithubAppConnect at={at()} onConnected={() => void refetch()} />
                <GithubOauthConnect at={at()} onConnected={() => void refetch()} />
                <ConnectForm at={at()} onConnected={() => void refetch()} />
              </Show>
            }
          >
            {(c) => (
              <section class="panel" aria-labelledby="git-repo-title">
                <h2 id="git-repo-title" class="settings-section__title">
                  Repository
                </h2>
                <p class="mono">{c().remoteUrl}</p>
                <p>
                  Trunk <span class="mono">{c().trunk}</span>
                  <Show when={c().subdirectory}> · folder <span class="mono">{c().subdirectory}</span></Show>
                  <Show when={c().hasToken}> · <Badge tone="neutral">token saved</Badge></Show>
                  <Show when={c().auth === "github_app"}>
                    {" "}
                    · <Badge tone="neutral">GitHub App (installation {c().installationId})</Badge>
                  </Show>
                  <Show when={c().auth === "github_oauth"}>
                    {" "}
                    · <Badge tone="neutral">GitHub (OAuth, via {c().oauthPerson ?? "a person no longer here"})</Badge>
                  </Show>
                </p>
                <p data-testid="git-last-sync">
                  <Show when={c().trunkSha} fallback="Not synced yet.">
                    {(sha) => (
                      <>
                        Last synced commit <span class="mono">{sha().slice(0, 12)}</span>
                      </>
                    )}
                  </Show>
                </p>
                <Show when={c().lastError}>{(e) => <Notice tone="warning">The last background sync failed: {e()}</Notice>}</Show>
                <Show when={capabilities().has("git-sync.sync")}>
                  <Button onClick={() => void syncNow()} disabled={syncing()}>
                    <BusyLabel busy={syncing()} label="Syncing…">
                      Sync now
                    </BusyLabel>
                  </Button>
                </Show>
                <Show when={message()}>{(m) => <Notice tone={m().tone}>{m().text}</Notice>}</Show>
                <Show when={capabilities().has("git-sync.connect")}>
                  <WebhookSection at={at()} hasWebhook={c().hasWebhook} onChanged={() => void refetch()} />
                  <h3 class="subheading">Disconnect</h3>
                  <div>
                    <Button variant="secondary" onClick={() => setConfirmDisconnect(true)}>
                      Disconnect
                    </Button>
                  </div>
                  <ConfirmDialog
                    open={confirmDisconnect()}
                    onClose={() => setConfirmDisconnect(false)}
                    title="Disconnect the repository?"
                    description={<>The project stops syncing with {c().remoteUrl}; its stored credential or GitHub App link goes. Its dashboards stay as they are.</>}
                    confirmLabel="Disconnect"
                    pendingLabel="Disconnecting…"
                    tone="danger"
                    confirm={disconnect}
                  />
                </Show>
                <Show when={c().problems.length > 0}>
                  <h3 class="subheading">Files not imported</h3>
                  <ul class="rows" aria-label="Files not imported">
                    <For each={c().problems}>
                      {(p) => (
                        <li class="row">
                          <span class="mono">
                            {p.path}
                            {p.line ? `:${p.line}` : ""}
                          </span>{" "}
                          {p.message}
                        </li>
                      )}
                    </For>
                  </ul>
                </Show>
              </section>
            )}
          </Show>
        )}
      </Show>
      <Show when={!status.error && status.latest && connectedOf(status.latest)}>
        {(c) => (
          <>
            <ConflictsPanel at={at()} stamp={`${c().syncedAt}:${JSON.stringify(c().conflicts)}`} onResolved={() => void refetch()} />
            <BranchesPanel at={at()} stamp={`${c().syncedAt}:${JSON.stringify(c().conflicts)}`} onChanged={() => void refetch()} />
          </>
        )}
      </Show>
    </div>
  );
}

function ConnectForm(props: { at: { orgId: string; projectId: string }; onConnected: () => void }) {
  const [tested, setTested] = createSignal<string | null>(null);
  const [testing, setTesting] = createSignal(false);
  let formElement!: HTMLFormElement;
  const inputOf = (data: FormData) => ({
    ...props.at,
    remoteUrl: String(data.get("remoteUrl") ?? ""),
    trunk: String(data.get("trunk") ?? "") || "main",
    subdirectory: String(data.get("subdirectory") ?? ""),
    token: String(data.get("token") ?? "") || undefined,
  });
  const form = createForm({
    action: async (data) => {
      setTested(null);
      await trpc.gitSync.connect.mutate(inputOf(data));
      props.onConnected();
    },
  });
  const runTest = async () => {
    form.clear();
    setTested(null);
    setTesting(true);
    try {
      const result = await trpc.gitSync.testConnection.mutate(inputOf(new FormData(formElement)));
      setTested(`The repository answers; ${result.trunk} is at ${result.headSha.slice(0, 12)}.`);
    } catch (e) {
      form.fail(e);
    } finally {
      setTesting(false);
    }
  };
  return (
    <form ref={formElement} class="form form--grid panel" onSubmit={(e) => form.onSubmit(e)} aria-labelledby="git-connect-title" novalidate>
      <h2 id="git-connect-title" class="settings-section__title form--grid__wide">
        Connect a git repository
      </h2>
      <TextField form={form} name="remoteUrl" label="Repository address" required="Give the repository's address" autocomplete="off" class="input--mono" fieldClass="form--grid__wide" />
      <TextField form={form} name="trunk" label="Trunk branch" value="main" autocomplete="off" class="input--mono" />
      <TextField form={form} name="subdirectory" label="Folder in the repository (optional)" autocomplete="off" class="input--mono" />
      <TextField form={form} name="token" type="password" label="Access token (for private repositories)" autocomplete="new-password" fieldClass="form--grid__wide" />
      <div class="form--grid__wide">
        <FormAlert form={form} />
        <Show when={tested()}>{(m) => <Notice tone="success">{m()}</Notice>}</Show>
      </div>
      <div class="form__actions form--grid__wide">
        <SubmitButton form={form} pendingLabel="Connecting and importing…">
          Connect
        </SubmitButton>
        <Button variant="secondary" disabled={testing() || form.pending()} onClick={() => void runTest()}>
          <BusyLabel busy={testing()} label="Testing…">
            Test connection
          </BusyLabel>
        </Button>
      </div>
    </form>
  );
}
