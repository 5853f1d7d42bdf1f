import { Title } from "@solidjs/meta";
import type { RouteDefinition } from "@solidjs/router";
import { createSignal, Show, Suspense } from "solid-js";
import type { RouteInfo } from "~/ui/plugin-ui";
import { ProfileSection } from "~/ui/settings/ProfileSection";
import { SectionLinks } from "~/ui/settings/Section";
import { Slot } from "~/ui/Slot";
import { SessionsSection } from "~/ui/settings/SessionsSection";
import { TokensSection } from "~/ui/settings/TokensSection";
import { useSession } from "~/ui/session";

export const route = { info: { breadcrumb: "Account settings", signIn: "required" } satisfies RouteInfo } satisfies RouteDefinition;

const SECTIONS = [
  { id: "profile", label: "Profile" },
  { id: "sessions", label: "Signed-in devices" },
  { id: "tokens", label: "Access tokens" },
];

/** The signed-in person's own settings. */
export default function Account() {
  const session = useSession();
  const [sessionsVersion, setSessionsVersion] = createSignal(0);
  return (
    <Show when={session.user()}>
      {(me) => (
        <div class="stack settings">
          <Title>Account settings · Atrium</Title>
          <header class="page-header">
            <p class="eyebrow">{me().email}</p>
            <h1 class="page-header__title">Account settings</h1>
          </header>
          <SectionLinks sections={SECTIONS} />
          <ProfileSection me={me()} />
          <Suspense>
            <Slot name="account.security" props={{ onOtherSessionsEnded: () => setSessionsVersion((v) => v + 1) }} />
          </Suspense>
          <SessionsSection version={sessionsVersion()} />
          <TokensSection />
          <Slot name="account.sections" props={{}} />
        </div>
      )}
    </Show>
  );
}
