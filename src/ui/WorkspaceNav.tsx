/**
 * The left navigation's workspace part: the current organization's pages and, inside a
 * project, the project's. Plugin links (`app.nav`) come above it.
 */
import { A } from "@solidjs/router";
import { createUniqueId, For, Show, type Component } from "solid-js";
import { Dynamic } from "solid-js/web";
import { FolderIcon, HomeIcon, SettingsIcon, UserIcon } from "./icons";
import { useSession } from "./session";
import { useWorkspace } from "./workspace";

interface NavItem {
  label: string;
  href: string;
  icon: Component<{ class?: string }>;
  end?: boolean;
}

function NavSection(props: { title: string; items: NavItem[] }) {
  const id = `nav-${createUniqueId()}`;
  return (
    <div class="nav-section">
      <p class="nav-section__title" id={id} title={props.title}>
        {props.title}
      </p>
      <ul class="slot-links" aria-labelledby={id}>
        <For each={props.items}>
          {(item) => (
            <li>
              <A href={item.href} end={item.end} class="nav-link" activeClass="nav-link--active" inactiveClass="">
                <Dynamic component={item.icon} class="icon nav-link__icon" />
                <span class="nav-link__label">{item.label}</span>
              </A>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}

export function WorkspaceNav() {
  const workspace = useWorkspace();
  const session = useSession();
  return (
    <>
      <Show when={workspace.currentOrg()}>
        {(org) => (
          <NavSection
            title={org().name}
            items={[
              { label: "Projects", href: `/o/${org().slug}`, icon: FolderIcon, end: true },
              { label: "Settings", href: `/o/${org().slug}/settings`, icon: SettingsIcon },
            ]}
          />
        )}
      </Show>
      <Show when={workspace.currentOrg() && workspace.currentProject()}>
        {(project) => (
          <NavSection
            title={project().name}
            items={[
              { label: "Overview", href: `/o/${workspace.currentOrg()!.slug}/p/${project().slug}`, icon: HomeIcon, end: true },
              { label: "Project settings", href: `/o/${workspace.currentOrg()!.slug}/p/${project().slug}/settings`, icon: SettingsIcon },
            ]}
          />
        )}
      </Show>
      <Show when={session.user() && !workspace.orgSlug()}>
        <NavSection title="You" items={[{ label: "Account", href: "/account", icon: UserIcon }]} />
      </Show>
    </>
  );
}
