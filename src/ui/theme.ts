/**
 * Light and dark themes. The palette lives in src/app.css as `light-dark()` tokens; the theme
 * is chosen by `color-scheme`, set from `data-theme` on <html>.
 *
 * By default the system preference rules. A choice made with the toggle is kept in
 * localStorage and applied by `themeBootScript`, inlined in the document head so the first
 * paint already has the right colors (no flash).
 */
export type Theme = "light" | "dark";

export const THEME_STORAGE_KEY = "atrium.theme";

function isTheme(value: unknown): value is Theme {
  return value === "light" || value === "dark";
}

/**
 * Runs in <head> before the body is parsed: sets `data-theme` to the stored choice, or to the
 * system preference (and follows it while no choice is stored). Never throws: storage may be
 * unavailable (private modes, sandboxed frames).
 */
export const themeBootScript = `(function(){var d=document.documentElement,k=${JSON.stringify(THEME_STORAGE_KEY)},m=window.matchMedia&&matchMedia("(prefers-color-scheme: dark)");function s(){try{return localStorage.getItem(k)}catch(e){return null}}function a(){var t=s();d.setAttribute("data-theme",t==="light"||t==="dark"?t:m&&m.matches?"dark":"light")}a();m&&m.addEventListener&&m.addEventListener("change",a)})();`;

/** The theme now applied to the document. */
export function currentTheme(): Theme {
  const value = document.documentElement.getAttribute("data-theme");
  if (isTheme(value)) return value;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Applies a theme and remembers it as the user's choice. */
export function chooseTheme(theme: Theme): void {
  document.documentElement.setAttribute("data-theme", theme);
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage unavailable: the choice lasts until the page is reloaded.
  }
}
