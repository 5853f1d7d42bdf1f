/**
 * The top bar's account controls: the organization switcher and the account menu for a
 * signed-in person; Sign in and Create account for everyone else.
 */
import { useLocation } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { Link, MenuAction, MenuButton, MenuLink, MenuSection, MenuSeparator, VisuallyHidden } from "./components";
import { BuildingIcon, CheckIcon, ChevronDownIcon, PlusIcon, SettingsIcon, SignOutIcon } from "./icons";
import { roleLabel } from "./roles";
import { authHref, useSession, type Me } from "./session";
import { useToasts } from "./toasts";
import { useWorkspace } from "./workspace";

/** "Ada Lovelace" → "AL"; falls back to the email's first letter. */
export function initialsOf(name: string, email: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]![0]}${words[words.length - 1]![0]}` : (words[0]?.slice(0, 2) ?? email.slice(0, 1));
  return letters.toUpperCase();
}

function OrgSwitcher(props: { me: Me }) {
  const workspace = useWorkspace();
  const current = () => props.me.orgs.find((o) => o.slug === workspace.orgSlug());
  return (
    <MenuButton
      class="topbar-button org-switcher"
      button={
        <>
          <BuildingIcon class="icon" />
          <span class="org-switcher__name">
            <VisuallyHidden>Organization: </VisuallyHidden>
            {current()?.name ?? (props.me.orgs.length ? "Organizations" : "No organization")}
          </span>
          <ChevronDownIcon class="icon topbar-button__chevron" />
        </>
      }
    >
      <Show when={props.me.orgs.length > 0}>
        <MenuSection class="menu__heading">Your organizations</MenuSection>
        <For each={props.me.orgs}>
          {(org) => (
            <MenuLink href={`/o/${org.slug}`} class="menu__item--org">
              <span class="menu__check" aria-hidden="true">
                <Show when={org.slug === workspace.orgSlug()}>
                  <CheckIcon class="icon" />
                </Show>
              </span>
              <span class="menu__item-text">
                <span class="menu__item-label">{org.name}</span>
                <span class="menu__item-meta">{roleLabel(org.role)}</span>
              </span>
              <Show when={org.slug === workspace.orgSlug()}>
                <VisuallyHidden> (current)</VisuallyHidden>
              </Show>
            </MenuLink>
          )}
        </For>
        <MenuSeparator />
      </Show>
      <MenuLink href="/orgs/new">
        <PlusIcon class="icon" />
        <span>New organization</span>
      </MenuLink>
    </MenuButton>
  );
}

function AccountMenu(props: { me: Me }) {
  const session = useSession();
  const toasts = useToasts();
  const signOut = async () => {
    try {
      await session.signOut();
    } catch (error) {
      toasts.error("Signing out failed", error);
    }
  };
  return (
    <MenuButton
      class="topbar-button account-button"
      // The initials are the button's visible text, so its name says them too (WCAG 2.5.3, label in
      // name), as words of their own: a checker reads text in parentheses as an aside and skips it.
      label={`Account: ${props.me.name || props.me.email}, ${initialsOf(props.me.name, props.me.email)}`}
      button={
        <>
          <span class="avatar" aria-hidden="true">
            {initialsOf(props.me.name, props.me.email)}
          </span>
          <ChevronDownIcon class="icon topbar-button__chevron" />
        </>
      }
    >
      <MenuSection class="menu__identity">
        <span class="menu__identity-name">{props.me.name}</span>
        <span class="menu__identity-email">{props.me.email}</span>
      </MenuSection>
      <MenuSeparator />
      <MenuLink href="/account">
        <SettingsIcon class="icon" />
        <span>Account settings</span>
      </MenuLink>
      <MenuAction onSelect={() => void signOut()}>
        <SignOutIcon class="icon" />
        <span>Sign out</span>
      </MenuAction>
    </MenuButton>
  );
}

/** The right-hand side of the top bar, after the theme toggle. */
export function AccountControls() {
  const session = useSession();
  const location = useLocation();
  const here = () => location.pathname + location.search;
  const onAuthPage = () => /^\/(sign-in|sign-up|forgot-password|reset-password)$/.test(location.pathname);
  return (
    <Switch fallback={<span class="account-placeholder" aria-hidden="true" />}>
      <Match when={session.user()}>
        {(me) => (
          <>
            <OrgSwitcher me={me()} />
            <AccountMenu me={me()} />
          </>
        )}
      </Match>
      <Match when={session.user() === null || session.problem()}>
        <Show when={!onAuthPage()}>
          <Link href={authHref("/sign-in", here())} variant="button-secondary" class="btn--compact">
            Sign in
          </Link>
          <Link href={authHref("/sign-up", here())} variant="button-primary" class="btn--compact">
            Create account
          </Link>
        </Show>
      </Match>
    </Switch>
  );
}
