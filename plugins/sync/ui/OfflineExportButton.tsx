/**
 * "Export for offline" in a dashboard's action rail: downloads `<slug>-offline.zip`, a folder
 * that draws the dashboard from `file://` with no server (GET /api/v1/export/…, ../offline/).
 * The server runs the queries first, so the button says it is working; a refusal is shown
 * beside it.
 */
import { createSignal, Show } from "solid-js";
import { Button } from "~/ui/components";
import { useWorkspace } from "~/ui/workspace";

function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export default function OfflineExportButton(props: { dashboardSlug: string }) {
  const workspace = useWorkspace();
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const [done, setDone] = createSignal(false);
  const exportOffline = async () => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    if (!org || !project || busy()) return;
    setBusy(true);
    setProblem(null);
    setDone(false);
    try {
      const res = await fetch(`/api/v1/export/${encodeURIComponent(org.id)}/${encodeURIComponent(project.id)}/${encodeURIComponent(props.dashboardSlug)}`, { credentials: "same-origin" });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        setProblem(`The export failed: ${body?.error?.message ?? `HTTP ${res.status}`}`);
        return;
      }
      saveBlob(await res.blob(), `${props.dashboardSlug}-offline.zip`);
      setDone(true);
    } catch {
      setProblem("The export failed: the server could not be reached.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="offline-export">
      <Button onClick={() => void exportOffline()} disabled={busy()} aria-describedby="offline-export-status" title="A zip of a folder that opens this dashboard in a browser with no server">
        {busy() ? "Preparing export…" : "Export for offline"}
      </Button>
      <p id="offline-export-status" class="visually-hidden" role="status">
        {busy() ? "Running the dashboard’s queries for the offline export…" : done() ? "The offline export is downloaded." : ""}
      </p>
      <Show when={problem()}>
        <p class="field__error" role="alert">
          {problem()}
        </p>
      </Show>
    </div>
  );
}
