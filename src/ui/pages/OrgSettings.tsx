import { Title } from "@solidjs/meta";
import { createMemo, Show, Suspense } from "solid-js";
import { AuditSection } from "~/ui/settings/AuditSection";
import { DangerSection, GeneralSection } from "~/ui/settings/GeneralSection";
import { InvitationsSection } from "~/ui/settings/InvitationsSection";
import { MembersSection } from "~/ui/settings/MembersSection";
import { SectionLinks } from "~/ui/settings/Section";
import { Slot, useCapabilities, useSlot } from "~/ui/Slot";
import { useCurrentOrg } from "~/ui/workspace";

/** Org settings: each section shown only to members whose capabilities let them use it. */
export default function OrgSettings() {
  const org = useCurrentOrg();
  const capabilities = useCapabilities();
  const can = (capability: string) => capabilities().has(capability);
  const pluginSections = useSlot(() => "org.settings.sections");
  const sections = createMemo(() =>
    [
      { id: "general", label: "General" },
      { id: "members", label: "Members" },
      can("members.invite") && { id: "invitations", label: "Invitations" },
      can("audit.view") && { id: "audit", label: "Audit log" },
      can("org.delete") && { id: "danger", label: "Delete organization" },
    ].filter((s): s is { id: string; label: string } => !!s),
  );
  return (
    <div class="stack settings">
      <Title>Settings · {org().name} · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">{org().name}</p>
        <h1 class="page-header__title">Organization settings</h1>
      </header>
      <SectionLinks sections={sections()} />
      <GeneralSection />
      <MembersSection />
      <Show when={can("members.invite")}>
        <InvitationsSection />
      </Show>
      <Show when={can("audit.view")}>
        <AuditSection />
      </Show>
      <Show when={pluginSections().length > 0}>
        <Suspense>
          <Slot name="org.settings.sections" />
        </Suspense>
      </Show>
      <Show when={can("org.delete")}>
        <DangerSection />
      </Show>
    </div>
  );
}
