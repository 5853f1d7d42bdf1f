import { A } from "@solidjs/router";
import { createContext, createSignal, createUniqueId, onCleanup, onMount, Show, useContext, type JSX, type ParentProps } from "solid-js";

/**
 * A menu button (WAI-ARIA APG "menu button"): the button toggles a `role="menu"` list.
 * Enter, Space or ↓ open it on the first item, ↑ on the last; ↑/↓/Home/End move; Escape
 * closes and returns focus to the button; Tab or a click elsewhere closes it.
 */
export interface MenuButtonProps {
  /** The button's content (text, avatar …). */
  button: JSX.Element;
  /** The accessible name, when the content alone does not say what the menu is. */
  label?: string;
  /** Class of the button. */
  class?: string;
  /** Aligns the menu with the button's right edge (default) or its left. */
  align?: "start" | "end";
  children: JSX.Element;
}

interface MenuContextValue {
  close(options?: { focusButton?: boolean }): void;
}

const MenuContext = createContext<MenuContextValue>();

function items(menu: HTMLElement): HTMLElement[] {
  return [...menu.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')];
}

export function MenuButton(props: MenuButtonProps) {
  const [open, setOpen] = createSignal(false);
  const id = `menu-${createUniqueId()}`;
  let root!: HTMLDivElement;
  let button!: HTMLButtonElement;
  let menu: HTMLDivElement | undefined;

  const focusItem = (which: "first" | "last" | number) => {
    if (!menu) return;
    const list = items(menu);
    if (!list.length) return;
    const index = which === "first" ? 0 : which === "last" ? list.length - 1 : (which + list.length) % list.length;
    list[index]?.focus();
  };

  const openMenu = (focus: "first" | "last") => {
    setOpen(true);
    // The list renders synchronously on open; move into it now.
    focusItem(focus);
  };

  const close = (options: { focusButton?: boolean } = {}) => {
    if (!open()) return;
    setOpen(false);
    if (options.focusButton) button.focus();
  };

  onMount(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (open() && !root.contains(event.target as Node)) close();
    };
    document.addEventListener("pointerdown", onPointerDown);
    onCleanup(() => document.removeEventListener("pointerdown", onPointerDown));
  });

  const onButtonKeyDown = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown" || event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      openMenu("first");
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      openMenu("last");
    }
  };

  const onMenuKeyDown = (event: KeyboardEvent) => {
    if (!menu) return;
    const list = items(menu);
    const current = list.indexOf(document.activeElement as HTMLElement);
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        focusItem(current + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        focusItem(current - 1);
        break;
      case "Home":
        event.preventDefault();
        focusItem("first");
        break;
      case "End":
        event.preventDefault();
        focusItem("last");
        break;
      case "Escape":
        event.preventDefault();
        close({ focusButton: true });
        break;
      case "Tab":
        close();
        break;
    }
  };

  return (
    <div ref={root} class="menu" classList={{ "menu--align-start": props.align === "start" }}>
      <button
        ref={button}
        type="button"
        class={`menu__button${props.class ? ` ${props.class}` : ""}`}
        aria-haspopup="menu"
        aria-expanded={open()}
        aria-controls={open() ? id : undefined}
        aria-label={props.label}
        onClick={(event) => {
          // Keyboard activation is handled on keydown (with focus placement); this is the pointer.
          if (event.detail === 0) return;
          if (open()) close();
          else setOpen(true);
        }}
        onKeyDown={onButtonKeyDown}
      >
        {props.button}
      </button>
      <Show when={open()}>
        <div ref={menu} id={id} class="menu__list" role="menu" aria-label={props.label} onKeyDown={onMenuKeyDown}>
          <MenuContext.Provider value={{ close }}>{props.children}</MenuContext.Provider>
        </div>
      </Show>
    </div>
  );
}

function useMenu(): MenuContextValue {
  const menu = useContext(MenuContext);
  if (!menu) throw new Error("Menu items belong inside <MenuButton>.");
  return menu;
}

/** A menu item that navigates in the app (the router marks the exact current page). */
export function MenuLink(props: ParentProps<{ href: string; class?: string }>) {
  const menu = useMenu();
  return (
    <A
      href={props.href}
      role="menuitem"
      tabindex="-1"
      class={`menu__item${props.class ? ` ${props.class}` : ""}`}
      activeClass=""
      inactiveClass=""
      end
      onClick={() => menu.close()}
    >
      {props.children}
    </A>
  );
}

/** A menu item that does something. */
export function MenuAction(props: ParentProps<{ onSelect: () => void; class?: string; disabled?: boolean }>) {
  const menu = useMenu();
  return (
    <button
      type="button"
      role="menuitem"
      tabindex="-1"
      class={`menu__item${props.class ? ` ${props.class}` : ""}`}
      aria-disabled={props.disabled ? "true" : undefined}
      onClick={() => {
        if (props.disabled) return;
        menu.close();
        props.onSelect();
      }}
    >
      {props.children}
    </button>
  );
}

/** A non-interactive heading or note inside a menu. */
export function MenuSection(props: ParentProps<{ class?: string }>) {
  return (
    <div role="presentation" class={`menu__section${props.class ? ` ${props.class}` : ""}`}>
      {props.children}
    </div>
  );
}

/** A divider between groups of items. */
export function MenuSeparator() {
  return <div role="separator" class="menu__separator" />;
}
