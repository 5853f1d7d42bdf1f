/**
 * Every page of the app, found where the router finds them: the page files under src/routes
 * (SolidStart's file routes) and the pages each plugin's UI half declares (src/plugins.ui.ts).
 * Nothing here lists a page by hand, so a page a plugin adds tomorrow is crawled without a
 * line changed in the crawler.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { plugins } from "~/plugins";
import { pluginUi } from "~/plugins.ui";

const ROUTES_DIR = path.resolve(import.meta.dirname, "..", "..", "src", "routes");

/** A page of the app, as a route pattern (`/o/:org/p/:project/d/:slug`). */
export interface PageTemplate {
  /** The route pattern, with `:params`. */
  readonly pattern: string;
  /** Where it is declared, for messages: `src/routes/account.tsx`, `plugin "data" (project layout)`. */
  readonly source: string;
  /** Signed-out visitors are sent to `/sign-in?next=…`. */
  readonly signIn: boolean;
  /** Lives in an org (org or project layout): invisible to people outside that org. */
  readonly inOrg: boolean;
  /** The `:params` in the pattern, in order. */
  readonly params: readonly string[];
}

function paramsOf(pattern: string): string[] {
  return [...pattern.matchAll(/:([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!);
}

/** `src/routes/invite/[token].tsx` → `/invite/:token`; `index.tsx` → its folder. Catch-alls (`[...404]`) are not pages of their own. */
function filePattern(relative: string): string | null {
  const segments = relative.replace(/\.tsx$/, "").split(path.sep);
  if (segments.some((s) => s.startsWith("[..."))) return null;
  if (segments.some((s) => s.startsWith("(") || s.startsWith("_"))) return null;
  const parts = segments.filter((s) => s !== "index").map((s) => s.replace(/^\[(\w+)\]$/, ":$1"));
  return `/${parts.join("/")}`;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** The page files under src/routes (`.tsx`; `.ts` files there are API routes). */
export function fileRoutePages(): PageTemplate[] {
  const pages: PageTemplate[] = [];
  for (const file of walk(ROUTES_DIR)) {
    if (!file.endsWith(".tsx")) continue;
    const relative = path.relative(ROUTES_DIR, file);
    const pattern = filePattern(relative);
    if (pattern === null) continue;
    // The route's `info` is data in the module; reading the source keeps the JSX out of node.
    const signIn = /signIn:\s*"required"/.test(readFileSync(file, "utf8"));
    pages.push({ pattern, source: `src/routes/${relative}`, signIn, inOrg: false, params: paramsOf(pattern) });
  }
  return pages;
}

/** The pages the plugins' UI halves declare, at their full address in their layout. */
export function pluginPages(): PageTemplate[] {
  return pluginUi.pages.map((page) => ({
    pattern: page.fullPath,
    source: `plugin "${page.pluginId}" (${page.layout} layout, path "${page.path}")`,
    // The org layout requires sign-in for every page under it.
    signIn: page.layout !== "bare" || page.signIn === "required",
    inOrg: page.layout !== "bare",
    params: paramsOf(page.fullPath),
  }));
}

/** Every page, file routes first, each pattern once. */
export function discoverPages(): PageTemplate[] {
  const seen = new Set<string>();
  return [...fileRoutePages(), ...pluginPages()].filter((page) => !seen.has(page.pattern) && seen.add(page.pattern));
}

/** Fills a pattern's params; `null` when a param has no value. */
export function fillPattern(pattern: string, values: Readonly<Record<string, string | undefined>>): string | null {
  let missing = false;
  const filled = pattern.replace(/:([a-zA-Z][a-zA-Z0-9]*)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) missing = true;
    return encodeURIComponent(value ?? "");
  });
  return missing ? null : filled;
}

/** Addresses that are not pages (/api/…, the `.ts` API routes under src/routes and the plugins' HTTP routes), as patterns: links to them are not followed. */
export function apiPatterns(): RegExp[] {
  const patterns = [/^\/api\//];
  for (const file of walk(ROUTES_DIR)) {
    if (!file.endsWith(".ts")) continue;
    const segments = path.relative(ROUTES_DIR, file).replace(/\.ts$/, "").split(path.sep).filter((s) => s !== "index");
    const source = segments.map((s) => (s.startsWith("[...") ? ".*" : s.startsWith("[") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
    patterns.push(new RegExp(`^/${source}$`));
  }
  for (const route of plugins.flatMap((plugin) => plugin.http ?? [])) {
    const source = route.path.split("/").map((s) => (s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
    patterns.push(new RegExp(`^${source}$`));
  }
  return patterns;
}
