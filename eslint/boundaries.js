/**
 * Atrium's import boundaries, as an ESLint rule (`atrium/boundaries`):
 *
 *   - nothing under src/ imports a plugin, except the two composition lists (src/plugins.ts,
 *     src/plugins.ui.ts): the kernel knows plugins only through the contract;
 *   - a plugin imports another plugin only through the entries that plugin exports on purpose
 *     (ENTRIES below), never its internals;
 *   - tests compose plugins freely: files under tests/, and test files and test helpers inside
 *     a plugin (`*.test.ts`, `test-*.ts`).
 *
 * Imports are resolved against the importing file (relative paths and the `~/` alias), so a
 * `../../plugins/…` from any depth is caught. See docs/decisions/018-plugin-http-routes-and-boundaries.md.
 */
import { statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Files of one plugin another plugin may import: extension points exported on purpose. */
export const ENTRIES = new Set([
  // The query engine (run SQL on a source under the org's limits) and the connector registry.
  "plugins/data/engine.ts",
  "plugins/data/connectors.ts",
  // A dashboard's capabilities and read-only look-ups, for plugins that attach things to dashboards (comments, reviews).
  "plugins/dashboards/lookup.ts",
  // An org's live dashboards, read-only (onboarding's setup status).
  "plugins/dashboards/directory.ts",
  // A live dashboard by slug or id and a run of its saved queries (server), and the read-only
  // canvas that draws it (browser): for pages that show a dashboard outside its project (sharing).
  "plugins/dashboards/published.ts",
  "plugins/dashboards/ui/published.ts",
  // Dashboards as files: check one, save it as the next version with a note, remove one (git sync).
  "plugins/dashboards/files.ts",
  // The dashboard document (parse, bind variables, prepare queries): pure and browser-safe, for
  // tools that read dashboards as files outside the app (`atrium preview`).
  "plugins/dashboards/document/index.ts",
  // The private-address filter: any plugin that fetches a URL a tenant gave vets its host here.
  "plugins/data/host-guard.ts",
]);

const COMPOSITION_LISTS = new Set(["src/plugins.ts", "src/plugins.ui.ts"]);
const EXTENSIONS = ["", ".ts", ".tsx", "/index.ts", "/index.tsx"];

function isTestFile(rel) {
  return rel.startsWith("tests/") || /(^|\/)[^/]+\.test\.tsx?$/.test(rel) || /(^|\/)test-[^/]+\.tsx?$/.test(rel);
}

/** The repository-relative target of an import, or null for a package. */
function resolveTarget(fromFile, source) {
  let abs;
  if (source.startsWith("~/")) abs = path.join(ROOT, "src", source.slice(2));
  else if (source.startsWith(".")) abs = path.resolve(path.dirname(fromFile), source);
  else return null;
  const rel = path.relative(ROOT, abs).split(path.sep).join("/");
  if (rel.startsWith("..")) return null;
  return rel;
}

/** The file an import names, with its extension (`plugins/data/engine` → `plugins/data/engine.ts`). */
function withExtension(rel, exists) {
  for (const ext of EXTENSIONS) if (exists(rel + ext)) return rel + ext;
  return rel;
}

function pluginOf(rel) {
  const match = /^plugins\/([^/]+)(\/|$)/.exec(rel);
  return match ? match[1] : null;
}

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: { description: "Keep the kernel free of plugin imports and plugins out of each other's internals" },
    schema: [],
    messages: {
      srcImportsPlugin:
        "src/ must not import a plugin ({{target}}): only src/plugins.ts and src/plugins.ui.ts list plugins. Use the plugin contract (a slot, an HTTP route, a procedure) instead.",
      pluginImportsSrcList: "A plugin must not import the composition list ({{target}}); it would depend on every other plugin.",
      crossPlugin:
        "Plugin \"{{from}}\" imports {{target}}, an internal file of plugin \"{{to}}\". Use an entry that plugin exports on purpose ({{entries}}), a kernel service or an event; or make the file an entry in eslint/boundaries.js with a reason.",
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const fromRel = path.relative(ROOT, file).split(path.sep).join("/");
    if (fromRel.startsWith("..") || isTestFile(fromRel)) return {};
    const fromPlugin = pluginOf(fromRel);
    const inSrc = fromRel.startsWith("src/");
    if (!inSrc && !fromPlugin) return {};
    const exists = isFile;

    function check(node, source) {
      if (typeof source !== "string") return;
      const rel = resolveTarget(file, source);
      if (!rel) return;
      const target = withExtension(rel, exists);
      const toPlugin = pluginOf(target);
      if (inSrc) {
        if (toPlugin && !COMPOSITION_LISTS.has(fromRel)) context.report({ node, messageId: "srcImportsPlugin", data: { target } });
        return;
      }
      if (COMPOSITION_LISTS.has(target) || target === "src/plugins" || target === "src/plugins.ui") {
        context.report({ node, messageId: "pluginImportsSrcList", data: { target } });
        return;
      }
      if (toPlugin && toPlugin !== fromPlugin && !ENTRIES.has(target)) {
        context.report({ node, messageId: "crossPlugin", data: { from: fromPlugin, to: toPlugin, target, entries: [...ENTRIES].join(", ") } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};

const files = new Map();
function isFile(rel) {
  if (!files.has(rel)) files.set(rel, statSync(path.join(ROOT, rel), { throwIfNoEntry: false })?.isFile() ?? false);
  return files.get(rel);
}

export default { rules: { boundaries: rule } };
