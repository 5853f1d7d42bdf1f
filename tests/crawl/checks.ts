/**
 * What the crawl checks inside one open page: axe-core (WCAG 2.2 AA rules) in the light theme
 * and the contrast rule again in the dark one, keyboard reach (Tab through the page and compare
 * with the focusable set), the shell at 390 px wide, and the in-page links to follow.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);
/**
 * axe-core from node_modules. Evaluated in the page rather than added as a <script> tag: the
 * app's Content-Security-Policy admits only scripts with its nonce, and would refuse (and log)
 * an injected tag.
 */
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The WCAG 2.2 AA rule set (A and AA of 2.0, 2.1 and 2.2). */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

export interface Violation {
  rule: string;
  impact: "minor" | "moderate" | "serious" | "critical";
  help: string;
  /** The failing elements' CSS selectors (the first few). */
  selectors: string[];
  theme: "light" | "dark";
}

async function injectAxe(page: Page): Promise<void> {
  const present = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === "object");
  if (!present) await page.evaluate(AXE_SOURCE);
}

/** Waits until no CSS transition or animation runs (a theme change fades colours). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity), null, { timeout: 20_000 }).catch(() => {});
}

/** Runs axe on the page: the whole WCAG 2.2 AA set, or only `rules`. */
export async function runAxe(page: Page, theme: Violation["theme"], rules?: string[]): Promise<Violation[]> {
  await injectAxe(page);
  const raw = await page.evaluate(
    async ({ tags, rules }) => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
      const runOnly = rules ? { type: "rule", values: rules } : { type: "tag", values: tags };
      const result = await axe.run(document, { runOnly, resultTypes: ["violations"] });
      return result.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, selectors: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(" >>> ")) }));
    },
    { tags: AXE_TAGS, rules },
  );
  return raw.map((v) => ({ ...v, impact: v.impact as Violation["impact"], theme }));
}

/** Switches the page to the dark theme (the system preference, which the app follows) and checks contrast there. */
export async function darkContrast(page: Page): Promise<Violation[]> {
  await page.emulateMedia({ colorScheme: "dark" });
  try {
    await page.waitForFunction(() => document.documentElement.getAttribute("data-theme") === "dark", null, { timeout: 20_000 });
    await settled(page);
    return await runAxe(page, "dark", ["color-contrast", "link-in-text-block"]);
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => document.documentElement.getAttribute("data-theme") === "light", null, { timeout: 20_000 }).catch(() => {});
  }
}

/**
 * Tabs through the page from the top and returns the interactive elements Tab never reached
 * (described by tag, name and a selector), and whether focus got stuck (a keyboard trap).
 * Elements taken out of the tab order on purpose (`tabindex="-1"`, inside `inert` or a closed
 * `<details>`), disabled or not shown are not expected; of a radio group one stop is enough.
 */
export async function keyboardReach(page: Page): Promise<{ unreached: string[]; trapped: string | null }> {
  const count = await page.evaluate(() => {
    const SELECTOR =
      'a[href], button, input:not([type="hidden"]), select, textarea, summary, iframe, [tabindex], [contenteditable=""], [contenteditable="true"]';
    const shown = (el: Element) => {
      const html = el as HTMLElement;
      if (!html.checkVisibility?.({ checkOpacity: false, checkVisibilityCSS: true })) return false;
      if (html.closest("[inert]")) return false;
      const closed = html.closest("details:not([open])");
      if (closed && html.closest("summary")?.parentElement !== closed) return false;
      const rect = html.getBoundingClientRect();
      return rect.width > 0 || rect.height > 0 || html.matches(".visually-hidden, .sr-only, .skip-link, [class*='skip']");
    };
    const candidates = [...document.querySelectorAll<HTMLElement>(SELECTOR)].filter(
      (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getAttribute("tabindex") !== "-1" && shown(el),
    );
    let index = 0;
    for (const el of candidates) el.dataset.crawlFocus = String(index++);
    const log: string[] = [];
    (window as unknown as { __crawlFocusLog: string[] }).__crawlFocusLog = log;
    document.addEventListener("focusin", (event) => {
      const target = event.target as HTMLElement;
      const marked = target.closest<HTMLElement>("[data-crawl-focus]");
      log.push(marked?.dataset.crawlFocus ?? `other:${target.tagName}`);
    });
    (document.activeElement as HTMLElement | null)?.blur();
    window.getSelection()?.removeAllRanges();
    return candidates.length;
  });
  // Start from the top of the document, as a person arriving on the page does.
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute("tabindex");
  });
  let trapped: string | null = null;
  let lastRun = "";
  let same = 0;
  for (let i = 0; i < count + 10; i++) {
    await page.keyboard.press("Tab");
    if (i % 8 !== 7) continue;
    // Every few presses: stop once focus has wrapped around, note a trap if it stopped moving.
    const { last, wrapped } = await page.evaluate(() => {
      const log = (window as unknown as { __crawlFocusLog: string[] }).__crawlFocusLog;
      const first = log.find((entry) => !entry.startsWith("other:"));
      const tail = log.slice(-1)[0] ?? "";
      return { last: tail, wrapped: first !== undefined && log.lastIndexOf(first) > log.indexOf(first) };
    });
    if (wrapped) break;
    same = last === lastRun ? same + 1 : 0;
    lastRun = last;
    if (same >= 2) {
      // An editor may keep Tab for indenting; Escape then Tab must leave it.
      // Sent back to back: an editor leaves Tab to the page only for a moment after Escape
      // (CodeMirror: two seconds), which a busy machine's round trips could outlast.
      await Promise.all([page.keyboard.press("Escape"), page.keyboard.press("Tab")]);
      const moved = await page.evaluate((stuck) => (window as unknown as { __crawlFocusLog: string[] }).__crawlFocusLog.slice(-1)[0] !== stuck, last);
      if (!moved) {
        trapped = last;
        break;
      }
      same = 0;
    }
  }
  const unreached = await page.evaluate(() => {
    const reached = new Set((window as unknown as { __crawlFocusLog: string[] }).__crawlFocusLog);
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("[data-crawl-focus]")) {
      const id = el.dataset.crawlFocus!;
      if (reached.has(id)) continue;
      // One stop per radio group is the keyboard pattern: arrows move within it.
      if (el instanceof HTMLInputElement && el.type === "radio" && el.name) {
        const group = document.querySelectorAll<HTMLElement>(`input[type="radio"][name="${CSS.escape(el.name)}"][data-crawl-focus]`);
        if ([...group].some((g) => reached.has(g.dataset.crawlFocus!))) continue;
      }
      const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      const classes = [...el.classList].slice(0, 2).map((c) => `.${c}`).join("");
      out.push(`<${el.tagName.toLowerCase()}${classes ? ` ${classes}` : ""}> "${name}"`);
    }
    for (const el of document.querySelectorAll<HTMLElement>("[data-crawl-focus]")) delete el.dataset.crawlFocus;
    return out;
  });
  const trappedAt = trapped === null ? null : trapped.startsWith("other:") ? trapped : `element #${trapped} in tab order`;
  return { unreached, trapped: trappedAt };
}

/**
 * At 390 px wide: the document itself must not scroll sideways (a wide table may scroll in its
 * own box). Returns the widest elements sticking out when it does.
 */
export async function narrowOverflow(page: Page): Promise<string[]> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    return await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= width + 1) return [];
      const scrollsOwnBox = (el: Element | null): boolean => {
        for (let e = el?.parentElement; e; e = e.parentElement) {
          const o = getComputedStyle(e).overflowX;
          if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
        }
        return false;
      };
      const wide = [...document.body.querySelectorAll<HTMLElement>("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrollsOwnBox(el))
        .slice(0, 200)
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
        .slice(0, 3)
        .map((el) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? ` .${el.className.trim().split(/\s+/).join(".")}` : ""}> right edge at ${Math.round(el.getBoundingClientRect().right)} px`);
      return [`the page is ${document.documentElement.scrollWidth} px wide at ${width} px`, ...wide];
    });
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/** Same-origin links in the page's main content and navigation, as paths (hash dropped). */
export async function pageLinks(page: Page): Promise<string[]> {
  const hrefs = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLAnchorElement>("a[href]")].filter((a) => !a.hasAttribute("download")).map((a) => a.href),
  );
  const origin = new URL(page.url()).origin;
  const paths = new Set<string>();
  for (const href of hrefs) {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      continue;
    }
    if (url.origin !== origin) continue;
    paths.add(url.pathname + url.search);
  }
  return [...paths];
}
