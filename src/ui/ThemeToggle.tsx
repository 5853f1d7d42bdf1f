import { createSignal, onCleanup, onMount } from "solid-js";
import { IconButton } from "./components";
import { MoonIcon, SunIcon } from "./icons";
import { chooseTheme, currentTheme } from "./theme";

/**
 * Switches between light and dark, and remembers the choice. A toggle button named "Dark
 * theme" whose `aria-pressed` says whether dark is on. The icon is picked by CSS from
 * `data-theme`, so it is right from the first paint; `aria-pressed` is synced once mounted.
 */
export function ThemeToggle() {
  const [dark, setDark] = createSignal(false);
  onMount(() => {
    setDark(currentTheme() === "dark");
    // The boot script follows the system while no choice is stored; mirror it.
    const observer = new MutationObserver(() => setDark(currentTheme() === "dark"));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    onCleanup(() => observer.disconnect());
  });
  return (
    <IconButton
      label="Dark theme"
      aria-pressed={dark()}
      class="theme-toggle"
      onClick={() => chooseTheme(currentTheme() === "dark" ? "light" : "dark")}
    >
      <>
        <MoonIcon class="icon theme-toggle__moon" />
        <SunIcon class="icon theme-toggle__sun" />
      </>
    </IconButton>
  );
}
