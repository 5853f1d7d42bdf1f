/**
 * The Git page's GitHub App connection (for members who may connect, when the operator set up
 * the App): "Connect with GitHub App" goes through GitHub's install page and back
 * (`/api/git-sync/github/install`); then a picker lists the repositories of the installations the
 * person's own GitHub account reaches, and Connect imports the chosen one. Nothing here holds a
 * token: the server checks the installation against the person's grant again on connect.
 */
import { useSearchParams } from "@solidjs/router";
import { createMemo, Show } from "solid-js";
import { createForm, FormAlert, Notice, SelectField, SubmitButton, TextField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";

const RETURN_MESSAGES: Record<string, { tone: "success" | "warning"; text: string }> = {
  installed: { tone: "success", text: "The GitHub App is installed. Pick a repository to connect." },
  requested: { tone: "warning", text: "GitHub asked an owner of the account to approve the install. Connect once they have." },
  installation_not_yours: { tone: "warning", text: "That installation is not one your GitHub account can reach: nothing was recorded." },
  authorization_refused: { tone: "warning", text: "GitHub did not confirm your authorization. Try Connect with GitHub App again." },
  authorization_missing: { tone: "warning", text: "GitHub did not send your authorization back. Try Connect with GitHub App again." },
  installation_missing: { tone: "warning", text: "GitHub did not say which installation was made. Try Connect with GitHub App again." },
};

export function GithubAppConnect(props: { at: { orgId: string; projectId: string }; onConnected: () => void }) {
  const [params] = useSearchParams();
  const [choices] = createBrowserResource(
    () => props.at,
    (at) => trpc.gitSync.githubRepositories.query(at),
  );
  const returned = () => {
    const key = params.github;
    return typeof key === "string" ? RETURN_MESSAGES[key] : undefined;
  };
  const options = createMemo(() =>
    (choices.latest?.installations ?? []).flatMap((i) => i.repositories.map((r) => ({ value: `${i.id}:${r.name}`, label: `${r.fullName}${i.account ? ` (installation on ${i.account})` : ""}` }))),
  );
  const form = createForm({
    action: async (data) => {
      const [id, repository] = String(data.get("repository") ?? "").split(":");
      await trpc.gitSync.connect.mutate({ ...props.at, auth: "github_app", installationId: Number(id), repository: repository ?? "", subdirectory: String(data.get("subdirectory") ?? "") });
      props.onConnected();
    },
  });
  const startUrl = () => `/api/git-sync/github/install?${new URLSearchParams(props.at).toString()}`;
  return (
    <Show when={!choices.error && choices.latest?.available}>
      <section class="panel stack" aria-labelledby="git-github-app-title">
        <h2 id="git-github-app-title" class="settings-section__title">
          Connect with the GitHub App
        </h2>
        <Show when={returned()}>{(m) => <Notice tone={m().tone}>{m().text}</Notice>}</Show>
        <p class="muted">Install Atrium's GitHub App on your account or organization and pick a repository: no token to paste, access limited to the repositories you choose.</p>
        <div>
          <a class="btn btn--secondary" href={startUrl()} rel="external">
            Connect with GitHub App
          </a>
        </div>
        <Show when={options().length > 0}>
          <form class="form form--grid" onSubmit={(e) => form.onSubmit(e)} aria-label="Connect a repository of the GitHub App" novalidate>
            <SelectField form={form} name="repository" label="Repository" options={options()} required="Pick a repository" />
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
        <Show when={choices.latest?.authorized && options().length === 0}>
          <p class="muted">Your installations of the app hold no repositories yet: add one on GitHub, then reload.</p>
        </Show>
      </section>
    </Show>
  );
}
