/**
 * The Share button in a dashboard's action rail, and its dialog: tabs for each way to share
 * (People, Public link, Embed). The rail gives the dashboard's slug; the org and project come from the
 * workspace.
 */
import "./sharing.css";
import { createSignal, For, Show, type JSX } from "solid-js";
import { Button, Dialog } from "~/ui/components";
import { useWorkspace } from "~/ui/workspace";
import { EmbedPanel } from "./EmbedPanel";
import { InvitesPanel } from "./InvitesPanel";
import { LinksPanel } from "./LinksPanel";
import { PeoplePanel } from "./PeoplePanel";

export interface ShareTab {
  id: string;
  label: string;
  render: (scope: { orgId: string; projectId: string; slug: string }) => JSX.Element;
}

/** The dialog's tabs, in order. */
const TABS: ShareTab[] = [
  {
    id: "people",
    label: "People",
    render: (scope) => (
      <div class="stack">
        <PeoplePanel scope={scope} />
        <InvitesPanel scope={scope} />
      </div>
    ),
  },
  { id: "link", label: "Public link", render: (scope) => <LinksPanel scope={scope} /> },
  { id: "embed", label: "Embed", render: (scope) => <EmbedPanel scope={scope} /> },
];

export default function ShareButton(props: { dashboardSlug: string }) {
  const workspace = useWorkspace();
  const [open, setOpen] = createSignal(false);
  const [tab, setTab] = createSignal(TABS[0]!.id);
  const scope = () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project ? { orgId: org.id, projectId: project.id, slug: props.dashboardSlug } : null;
  };
  return (
    <Show when={scope()}>
      {(s) => (
        <>
          <Button variant="secondary" onClick={() => setOpen(true)} aria-haspopup="dialog">
            Share
          </Button>
          <Dialog open={open()} onClose={() => setOpen(false)} title="Share this dashboard" description="Choose who can see it, and how.">
            <div class="tabs" role="tablist" aria-label="Ways to share">
              <For each={TABS}>
                {(t) => (
                  <button
                    type="button"
                    role="tab"
                    id={`share-tab-${t.id}`}
                    class="tab"
                    classList={{ "tab--active": tab() === t.id }}
                    aria-selected={tab() === t.id}
                    aria-controls="share-tabpanel"
                    tabindex={tab() === t.id ? 0 : -1}
                    onClick={() => setTab(t.id)}
                    onKeyDown={(e) => {
                      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
                      const i = TABS.findIndex((x) => x.id === t.id);
                      const next = TABS[(i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length]!;
                      setTab(next.id);
                      document.getElementById(`share-tab-${next.id}`)?.focus();
                    }}
                  >
                    {t.label}
                  </button>
                )}
              </For>
            </div>
            <div id="share-tabpanel" role="tabpanel" aria-labelledby={`share-tab-${tab()}`} class="share-panel">
              <Show when={open()}>{TABS.find((t) => t.id === tab())!.render(s())}</Show>
            </div>
          </Dialog>
        </>
      )}
    </Show>
  );
}
