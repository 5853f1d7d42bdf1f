/**
 * Public links as a list for the "Shared links" pages (the organization's, and a person's own):
 * which dashboard, who made it, its status, views and last view, expiry, and beside them the
 * views of the dashboard's signed embeds (count and last view, for readers who may manage its
 * sharing); pause, resume and revoke where the reader may. Never the URL: it was shown once.
 */
import { createSignal, For, Show } from "solid-js";
import { Badge, Button, Link } from "~/ui/components";
import { formatDateTime } from "~/ui/format";
import { problemOf } from "~/ui/problems";
import { sharingApi, type LinkSummary } from "./api";

const STATUS_TONE = { active: "success", paused: "warning", revoked: "danger", expired: "neutral" } as const;

/** The change a row's buttons make, through the project's link procedures (403/404 shown on the row). */
export async function changeLinkStatus(link: LinkSummary, what: "pause" | "resume" | "revoke"): Promise<void> {
  const at = { orgId: link.orgId, projectId: link.projectId, linkId: link.id };
  if (what === "revoke") await sharingApi.links.revoke.mutate(at);
  else await sharingApi.links.setPaused.mutate({ ...at, paused: what === "pause" });
}

/** A link as the Shared links pages list it: with its dashboard's embed views (null: none, or not the reader's to see). */
export type ListedLink = LinkSummary & { embedViews: { viewCount: number; lastViewedAt: string | null } | null };

export function LinksTable(props: { links: readonly ListedLink[]; label: string; showCreator?: boolean; onChanged: () => unknown }) {
  const [problem, setProblem] = createSignal<string | null>(null);
  const change = async (link: LinkSummary, what: "pause" | "resume" | "revoke") => {
    setProblem(null);
    try {
      await changeLinkStatus(link, what);
      await props.onChanged();
    } catch (error) {
      setProblem(problemOf(error).message);
    }
  };
  const title = (link: LinkSummary) => link.dashboardTitle ?? "A deleted dashboard";
  const name = (link: LinkSummary) => `${title(link)}, ${link.label || `link of ${formatDateTime(link.createdAt)}`}`;
  return (
    <>
      <div role="alert" class="alert-region">
        {problem()}
      </div>
      <div class="table-wrap">
        <table class="table">
          <caption class="visually-hidden">{props.label}</caption>
          <thead>
            <tr>
              <th scope="col">Dashboard</th>
              <Show when={props.showCreator}>
                <th scope="col">Made by</th>
              </Show>
              <th scope="col">Status</th>
              <th scope="col">Views</th>
              <th scope="col">Last viewed</th>
              <th scope="col">
                Embed views <span class="visually-hidden">(the dashboard's signed embeds)</span>
              </th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={props.links}>
              {(link) => (
                <tr>
                  <td>
                    <Show when={link.orgSlug && link.projectSlug && link.dashboardSlug} fallback={title(link)}>
                      <Link href={`/o/${link.orgSlug}/p/${link.projectSlug}/d/${link.dashboardSlug}`}>{title(link)}</Link>
                    </Show>
                    <Show when={link.projectName}>
                      <span class="muted"> ({link.projectName})</span>
                    </Show>
                    <Show when={link.hasPassword}>
                      {" "}
                      <Badge>password</Badge>
                    </Show>
                  </td>
                  <Show when={props.showCreator}>
                    <td>{link.createdBy?.name || link.createdBy?.email || "—"}</td>
                  </Show>
                  <td>
                    <Badge tone={STATUS_TONE[link.status]}>{link.status}</Badge>
                  </td>
                  <td>{link.viewCount}</td>
                  <td>{link.lastViewedAt ? formatDateTime(link.lastViewedAt) : "never"}</td>
                  <td>
                    <Show when={link.embedViews} fallback={<span class="muted">—</span>}>
                      {(views) => (
                        <>
                          {views().viewCount}
                          <span class="muted"> · {views().lastViewedAt ? `last ${formatDateTime(views().lastViewedAt!)}` : "never"}</span>
                        </>
                      )}
                    </Show>
                  </td>
                  <td>{formatDateTime(link.expiresAt)}</td>
                  <td>
                    <Show when={link.status === "active"}>
                      <Button variant="ghost" class="btn--compact" onClick={() => void change(link, "pause")} aria-label={`Pause: ${name(link)}`}>
                        Pause
                      </Button>
                    </Show>
                    <Show when={link.status === "paused"}>
                      <Button variant="ghost" class="btn--compact" onClick={() => void change(link, "resume")} aria-label={`Resume: ${name(link)}`}>
                        Resume
                      </Button>
                    </Show>
                    <Show when={link.status === "active" || link.status === "paused"}>
                      <Button variant="ghost" class="btn--compact" onClick={() => void change(link, "revoke")} aria-label={`Revoke: ${name(link)}`}>
                        Revoke
                      </Button>
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </>
  );
}
