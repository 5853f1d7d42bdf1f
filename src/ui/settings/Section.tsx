import { createSignal, For, onCleanup, onMount, Show, type JSX } from "solid-js";

/** One section of a settings page: a panel with a heading others can link to (`#id`). */
export function SettingsSection(props: { id: string; title: string; lede?: JSX.Element; tone?: "danger"; children: JSX.Element; actions?: JSX.Element }) {
  return (
    <section id={props.id} class="panel settings-section" classList={{ "settings-section--danger": props.tone === "danger" }} aria-labelledby={`${props.id}-title`}>
      <header class="settings-section__header">
        <div>
          <h2 id={`${props.id}-title`} class="settings-section__title" tabindex="-1">
            {props.title}
          </h2>
          <Show when={props.lede}>
            <p class="settings-section__lede">{props.lede}</p>
          </Show>
        </div>
        <Show when={props.actions}>
          <div class="settings-section__actions">{props.actions}</div>
        </Show>
      </header>
      {props.children}
    </section>
  );
}

/**
 * "On this page" links to the sections. Handled here rather than by the router (which would
 * treat `#members` as a navigation): scroll to the section and move focus to its heading.
 * Sections plugins add through a slot (`SettingsSection`s on the same page, rendered lazily)
 * are found in the page and listed after the given ones.
 */
export function SectionLinks(props: { sections: ReadonlyArray<{ id: string; label: string }> }) {
  let nav: HTMLElement | undefined;
  const [found, setFound] = createSignal<Array<{ id: string; label: string }>>([]);
  onMount(() => {
    const page = nav?.parentElement;
    if (!page) return;
    const scan = () => {
      const known = new Set(props.sections.map((s) => s.id));
      const extra = [...page.querySelectorAll<HTMLElement>("section.settings-section[id]")]
        .filter((section) => !known.has(section.id))
        .map((section) => ({ id: section.id, label: document.getElementById(`${section.id}-title`)?.textContent?.trim() || section.id }));
      const current = found();
      if (extra.length !== current.length || extra.some((s, i) => s.id !== current[i]?.id || s.label !== current[i]?.label)) setFound(extra);
    };
    scan();
    const observer = new MutationObserver(scan);
    observer.observe(page, { childList: true, subtree: true });
    onCleanup(() => observer.disconnect());
  });
  const go = (event: MouseEvent, id: string) => {
    const heading = document.getElementById(`${id}-title`);
    if (!heading) return;
    event.preventDefault();
    heading.scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
    history.replaceState(history.state, "", `#${id}`);
  };
  return (
    <nav class="section-links" aria-label="On this page" ref={nav}>
      <ul>
        <For each={[...props.sections, ...found()]}>
          {(section) => (
            <li>
              <a href={`#${section.id}`} class="section-links__link" on:click={(event) => go(event, section.id)}>
                {section.label}
              </a>
            </li>
          )}
        </For>
      </ul>
    </nav>
  );
}
