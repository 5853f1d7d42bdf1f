#!/usr/bin/env node
/**
 * Bundles the offline dashboard viewer (plugins/sync/offline/viewer.tsx: the app's read-only
 * canvas and chart components, Solid, Vega and Vega-Lite) into one classic script and one
 * stylesheet: `viewer.js` and `viewer.css` in the folder given (default .output/offline-viewer).
 * A classic script, not a module: a page opened from `file://` may not load modules.
 *
 *   node scripts/build-offline-viewer.mjs [out-dir]
 *
 * `npm run build` runs it; the server builds it on first use when no build is there (dev, tests).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { transformAsync } from "@babel/core";
import solid from "babel-preset-solid";
import { build, transform } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const out = path.resolve(process.argv[2] ?? path.join(root, ".output", "offline-viewer"));

/** Solid's JSX is compiled by its Babel preset (as vite-plugin-solid does in the app build). */
const solidJsx = {
  name: "solid-jsx",
  setup(b) {
    b.onLoad({ filter: /\.tsx$/ }, async (args) => {
      // esbuild strips the types and keeps the JSX; Babel compiles the JSX the Solid way.
      const stripped = await transform(readFileSync(args.path, "utf8"), { loader: "tsx", jsx: "preserve", sourcefile: args.path });
      const result = await transformAsync(stripped.code, {
        filename: args.path,
        presets: [[solid, { generate: "dom", hydratable: false }]],
        babelrc: false,
        configFile: false,
      });
      return { contents: result?.code ?? "", loader: "js" };
    });
  },
};

const result = await build({
  entryPoints: { viewer: path.join(root, "plugins", "sync", "offline", "viewer.tsx") },
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2022",
  conditions: ["browser", "solid"],
  minify: true,
  legalComments: "none",
  write: false,
  outdir: out,
  alias: { "~": path.join(root, "src") },
  define: { "process.env.NODE_ENV": '"production"', "import.meta.env.SSR": "false", "import.meta.env.DEV": "false", "import.meta.env.PROD": "true" },
  logLevel: "warning",
  plugins: [solidJsx],
});

mkdirSync(out, { recursive: true });
const base = readFileSync(path.join(root, "src", "app.css"), "utf8");
for (const file of result.outputFiles) {
  const name = path.basename(file.path);
  // The app's base stylesheet (tokens, type, cards) first, then the canvas's own.
  const text = name.endsWith(".css") ? `${base}\n${file.text}` : file.text;
  const tmp = path.join(out, `.${name}.${process.pid}`);
  writeFileSync(tmp, text);
  renameSync(tmp, path.join(out, name));
}
console.log(`Offline viewer: ${out}`);
