import { defineConfig } from "@solidjs/start/config";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL("./src", import.meta.url));
const pluginsDir = fileURLToPath(new URL("./plugins", import.meta.url));
// `vinxi dev` loads Nitro plugins outside Vite's module graph (no "~" alias); in dev the kernel
// boots on the first request instead, and the request middleware serves the API path
// (src/server/api.ts) that the Nitro plugin puts in front of the app in the production build.
const dev = process.argv.includes("dev");

export default defineConfig({
  middleware: "./src/middleware.ts",
  server: {
    preset: "node-server",
    // Nitro treats a top-level plugins/ folder as Nitro server plugins; ours are Atrium plugins.
    ignore: ["plugins/**"],
    plugins: dev ? [] : ["./src/server/boot-plugin.ts", "./src/server/api-nitro.ts"],
    // Nitro aliases "~" to the project root; ours means src/ everywhere.
    alias: { "~": src },
    // Nitro's bundle treats modules as free of side effects unless listed; ours register things
    // on import (a plugin's connectors: `import "./postgres"`), and the API path runs in this
    // bundle (src/server/api-nitro.ts), so keep those imports.
    moduleSideEffects: ["unenv/polyfill/", `${src}/`, `${pluginsDir}/`],
    // Node (20.19+) loads a package's "module-sync" export when one is required; trace the same
    // files, or packages that declare it (get-intrinsic's async-function) are copied without it.
    exportConditions: ["module-sync"],
    // Nitro compiles the server for ES2019 unless told: private fields become WeakMap lookups
    // and class fields defineProperty calls, on the request path (the database client's state
    // among them). Node 20 runs ES2022 natively.
    esbuild: { options: { target: "es2022" } },
  },
  vite: {
    build: { target: "es2022" },
  },
});
