/**
 * The Git page's GitHub OAuth connection (for members who may connect, when the operator set up
 * an OAuth App): "Connect with GitHub (OAuth)" goes through GitHub's authorize page and back
 * (`/api/git-sync/github/authorize`, `public_repo`, or `repo` with "Include private repositories");
 * then a picker lists the repositories the person's own grant reaches, with folder and trunk
 * fields, and Connect repository imports the chosen one. Nothing here holds a token: the server
 * checks the repository against the person's grant on connect and uses it per operation.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, createSignal, Show } from "solid-js";
import { BusyLabel, Button, createForm, FormAlert, Notice, SelectField, SubmitButton, TextField } from "~/ui/components";
import { problemOf } from "~/ui/problems";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";

const RETURN_MESSAGES: Record<string, { tone: "success" | "warning"; text: string }> = {
  authorized: { tone: "success", text: "GitHub authorized Atrium. Pick one of your repositories to connect." },
  oauth_denied: { tone: "warning", text: "You did not authorize Atrium on GitHub: nothing was recorded." },
  oauth_refused: { tone: "warning", text: "GitHub did not confirm your authorization. Try Connect with GitHub (OAuth) again." },
  oauth_missing: { tone: "warning", text: "GitHub did not send your authorization back. Try Connect with GitHub (OAuth) again." },
};

export function GithubOauthConnect(props: { at: { orgId: string; projectId: string }; onConnected: () => void }) {
  const [params] = useSearchParams();
  const [choices, { refetch }] = createBrowserResource(
    () => props.at,
    (at) => trpc.gitSync.githubOauthRepositories.query(at),
  );
  const [privateRepositories, setPrivateRepositories] = createSignal(false);
  const [forgetting, setForgetting] = createSignal(false);
  const [forgetProblem, setForgetProblem] = createSignal<string | null>(null);
  // Signing out of GitHub here: Atrium forgets the person's grant (connections made with it then ask them to authorize again).
  const forget = async () => {
    setForgetting(true);
    setForgetProblem(null);
    try {
      await trpc.gitSync.githubOauthForget.mutate(props.at);
      await refetch();
    } catch (e) {
      setForgetProblem(problemOf(e).message);
    } finally {
      setForgetting(false);
    }
  };
  const returned = () => {
    const key = params.github;
    return typeof key === "string" ? RETURN_MESSAGES[key] : undefined;
  };
  const options = createMemo(() => (choices.latest?.repositories ?? []).map((r) => ({ value: r.fullName, label: `${r.fullName}${r.private ? " (private)" : ""} · ${r.defaultBranch}` })));
  const form = createForm({
    action: async (data) => {
      const trunk = String(data.get("trunk") ?? "").trim();
      await trpc.gitSync.connect.mutate({
        ...props.at,
        auth: "github_oauth",
        repository: String(data.get("repository") ?? ""),
        subdirectory: String(data.get("subdirectory") ?? ""),
        ...(trunk ? { trunk } : {}),
      });
      props.onConnected();
    },
  });
  const startUrl = () => `/api/git-sync/github/authorize?${new URLSearchParams({ ...props.at, ...(privateRepositories() ? { private: "1" } : {}) }).toString()}`;
  return (
    <Show when={!choices.error && choices.latest?.available}>
      <section class="panel stack" aria-labelledby="git-github-oauth-title">
        <h2 id="git-github-oauth-title" class="settings-section__title">
          Connect with GitHub (OAuth)
        </h2>
        <Show when={returned()}>{(m) => <Notice tone={m().tone}>{m().text}</Notice>}</Show>
        <p class="muted">
          Authorize Atrium with your GitHub account and pick one of your repositories: every sync, commit and pull request then uses your authorization. Atrium asks for public repositories only, unless you include private ones.
        </p>
        <Show when={choices.latest?.authorized}>
          <p>
            Authorized as <span class="mono">{choices.latest?.login ?? "your GitHub account"}</span>
            <Show when={choices.latest?.scope}>{(scope) => <> (scope <span class="mono">{scope()}</span>)</>}</Show>.
          </p>
        </Show>
        <div class="git-branch-facts">
          <label class="check">
            <input type="checkbox" checked={privateRepositories()} onChange={(e) => setPrivateRepositories(e.currentTarget.checked)} />
            <span class="check__label">Include private repositories</span>
          </label>
          <a class="btn btn--secondary" href={startUrl()} rel="external">
            {choices.latest?.authorized ? "Authorize with GitHub again" : "Connect with GitHub (OAuth)"}
          </a>
          <Show when={choices.latest?.authorized}>
            <Button variant="secondary" onClick={() => void forget()} disabled={forgetting()}>
              <BusyLabel busy={forgetting()} label="Signing out…">
                Sign out of GitHub here
              </BusyLabel>
            </Button>
          </Show>
        </div>
        <Show when={forgetProblem()}>{(p) => <Notice tone="warning">{p()}</Notice>}</Show>
        <Show when={options().length > 0}>
          <form class="form form--grid" onSubmit={(e) => form.onSubmit(e)} aria-label="Connect one of your GitHub repositories" novalidate>
            <SelectField form={form} name="repository" label="Your repository" options={options()} required="Pick a repository" />
            <TextField form={form} name="trunk" label="Trunk branch (optional: the repository's default)" autocomplete="off" class="input--mono" />
            <TextField form={form} name="subdirectory" label="Folder in the repository (optional)" autocomplete="off" class="input--mono" />
            <div class="form--grid__wide">
              <FormAlert form={form} />
            </div>
            <div class="form__actions form--grid__wide">
              <SubmitButton form={form} pendingLabel="Connecting and importing…">
                Connect repository
              </SubmitButton>
            </div>
          </form>
        </Show>
        <Show when={choices.latest?.truncated}>
          <p class="muted">Only your 500 most recently pushed repositories are listed.</p>
        </Show>
        <Show when={choices.latest?.authorized && options().length === 0}>
          <p class="muted">Your GitHub authorization reaches no repositories{choices.latest?.scope === "public_repo" ? " that are public: include private repositories and authorize again" : ""}.</p>
        </Show>
      </section>
    </Show>
  );
}
