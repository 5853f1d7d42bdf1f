import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { Button, ConfirmDialog, createForm, FormAlert, Notice, SubmitButton, TextField } from "../components";
import { formatDate } from "../format";
import { roleLabel } from "../roles";
import { useSession } from "../session";
import { useCapabilities } from "../Slot";
import { useToasts } from "../toasts";
import { trpc } from "../trpc";
import { useCurrentOrg, useWorkspace } from "../workspace";
import { SettingsSection } from "./Section";

/** Name and address; rename for those who may; delete (owners) in a danger zone. */
export function GeneralSection() {
  const org = useCurrentOrg();
  const workspace = useWorkspace();
  const session = useSession();
  const capabilities = useCapabilities();
  const [saved, setSaved] = createSignal(false);
  const form = createForm({
    action: async (data) => {
      setSaved(false);
      await trpc.orgs.rename.mutate({ orgId: org().id, name: String(data.get("name") ?? "") });
      await Promise.all([workspace.refetchOrg(), session.refresh()]);
      setSaved(true);
    },
  });
  return (
    <SettingsSection id="general" title="General" lede="The organization’s name and address.">
      <Show
        when={capabilities().has("org.update")}
        fallback={
          <dl class="details">
            <div class="details__row">
              <dt>Name</dt>
              <dd>{org().name}</dd>
            </div>
            <div class="details__row">
              <dt>Address</dt>
              <dd class="mono">/o/{org().slug}</dd>
            </div>
            <div class="details__row">
              <dt>Your role</dt>
              <dd>{roleLabel(org().role)}</dd>
            </div>
          </dl>
        }
      >
        <form class="form form--inline" onSubmit={(event) => form.onSubmit(event)} novalidate>
          <TextField
            form={form}
            name="name"
            label="Organization name"
            value={org().name}
            maxLength={100}
            required="Enter a name."
            onInput={() => setSaved(false)}
          />
          <div class="form__actions">
            <SubmitButton form={form} pendingLabel="Saving…">
              Save name
            </SubmitButton>
          </div>
          <FormAlert form={form} />
          <Show when={saved()}>
            <Notice tone="success">
              <p>Saved.</p>
            </Notice>
          </Show>
        </form>
        <dl class="details details--compact">
          <div class="details__row">
            <dt>Address</dt>
            <dd class="mono">/o/{org().slug}</dd>
          </div>
          <div class="details__row">
            <dt>Created</dt>
            <dd>{formatDate(org().createdAt)}</dd>
          </div>
        </dl>
      </Show>
    </SettingsSection>
  );
}

/** Deleting the organization: owners only, confirmed by typing its address. */
export function DangerSection() {
  const org = useCurrentOrg();
  const session = useSession();
  const navigate = useNavigate();
  const toasts = useToasts();
  const [open, setOpen] = createSignal(false);
  const deleteOrg = async (typed: string) => {
    const name = org().name;
    await trpc.orgs.delete.mutate({ orgId: org().id, confirmSlug: typed });
    await session.refresh();
    navigate("/", { replace: true });
    toasts.success(`${name} was deleted`, "An operator can restore it within 30 days.");
  };
  return (
    <SettingsSection id="danger" title="Delete organization" tone="danger" lede="Remove this organization for everyone, at once.">
      <div class="danger-row">
        <p>
          Its projects, dashboards and tokens stop working for every member immediately. An operator can restore it within 30 days;
          after that it is gone.
        </p>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete organization…
        </Button>
      </div>
      <ConfirmDialog
        open={open()}
        onClose={() => setOpen(false)}
        tone="danger"
        title={`Delete ${org().name}?`}
        description={
          <p>
            Every member loses access right away. This cannot be undone from the app; an operator can restore it within 30 days.
          </p>
        }
        confirmLabel="Delete organization"
        pendingLabel="Deleting…"
        typeToConfirm={{ text: org().slug, field: "confirmSlug" }}
        confirm={deleteOrg}
      />
    </SettingsSection>
  );
}
