/**
 * The offline viewer's bundle (`viewer.js`, `viewer.css`: scripts/build-offline-viewer.mjs).
 * A production build made it beside the server (`.output/offline-viewer`); elsewhere (dev,
 * tests) it is built once per process on first use, so it always matches the sources, into a
 * temporary folder that is removed once read (no build is left behind per process).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

export interface ViewerAssets {
  js: string;
  css: string;
}

let loading: Promise<ViewerAssets> | null = null;

async function read(dir: string): Promise<ViewerAssets> {
  const [js, css] = await Promise.all([readFile(path.join(dir, "viewer.js"), "utf8"), readFile(path.join(dir, "viewer.css"), "utf8")]);
  return { js, css };
}

async function load(root: string): Promise<ViewerAssets> {
  const built = path.join(root, ".output", "offline-viewer");
  if (process.env.NODE_ENV === "production" && existsSync(path.join(built, "viewer.js"))) return read(built);
  const script = path.join(root, "scripts", "build-offline-viewer.mjs");
  if (!existsSync(script)) throw new Error(`The offline viewer is not built: run \`npm run build\` (no ${built}).`);
  const out = await mkdtemp(path.join(tmpdir(), "atrium-offline-viewer-"));
  try {
    await promisify(execFile)(process.execPath, [script, out], { cwd: root, timeout: 120_000 });
    return await read(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * The viewer's script and stylesheet (loaded or built once; a failure may be retried). `root` is
 * the checkout (the server's working folder; `atrium preview` passes its own).
 */
export function viewerAssets(root = process.cwd()): Promise<ViewerAssets> {
  loading ??= load(root);
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
