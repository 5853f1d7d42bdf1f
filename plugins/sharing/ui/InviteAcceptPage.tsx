/**
 * The page an invitation's mail links to (`/v/<token>`): what it opens, and a button that spends
 * the one-time link and binds view access to this browser, then opens the dashboard.
 */
import "./sharing.css";
import { Meta, Title } from "@solidjs/meta";
import { useNavigate, useParams } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { Button } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";

export default function InviteAcceptPage() {
  const params = useParams<{ token: string }>();
  const navigate = useNavigate();
  const [invite] = createBrowserResource(
    () => params.token,
    (token) => trpc.sharing.invites.status.query({ token }),
  );
  const [problem, setProblem] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const open = async () => {
    setBusy(true);
    setProblem("");
    try {
      const response = await fetch("/api/sharing/invite/accept", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: params.token }), referrerPolicy: "no-referrer" });
      const body = (await response.json().catch(() => null)) as { inviteId?: string; error?: { message: string } } | null;
      if (response.ok && body?.inviteId) navigate(`/view/${body.inviteId}`, { replace: true });
      else setProblem(body?.error?.message ?? "The invitation could not be opened. Try again.");
    } catch {
      setProblem("The invitation could not be opened. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="stack public-dashboard">
      <Meta name="robots" content="noindex, nofollow" />
      <Meta name="referrer" content="no-referrer" />
      <Show
        when={!invite.error && invite()}
        fallback={
          <Show when={invite.error} fallback={<p role="status" class="muted">Loading…</p>}>
            <Title>Invitation not available · Atrium</Title>
            <div role="alert" class="stack">
              <h1 class="page-header__title">This invitation link is not available</h1>
              <p>It works once, for an hour. Ask the person who invited you to send it again.</p>
            </div>
          </Show>
        }
      >
        {(i) => (
          <>
            <Title>Invitation to view · Atrium</Title>
            <h1 class="page-header__title">You are invited to view “{i().title}”</h1>
            <p>
              The invitation is for {i().email}. Opening it lets this browser view the dashboard for 30 days; the link then stops working.
            </p>
            <div role="alert" class="alert-region field__error">
              {problem()}
            </div>
            <div>
              <Button onClick={() => void open()} disabled={busy()}>
                {busy() ? "Opening…" : "Open the dashboard"}
              </Button>
            </div>
          </>
        )}
      </Show>
    </div>
  );
}
