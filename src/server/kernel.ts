/**
 * The server's kernel: booted once per process, shared by every request.
 */
import { loadConfig } from "~/kernel/config";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { plugins } from "~/plugins";

// The server bundle holds this module twice (Nitro's boot plugin and the request handlers are
// bundled separately), so the one kernel per process is kept on globalThis.
const KEY = Symbol.for("atrium.kernel");
const holder = globalThis as typeof globalThis & { [KEY]?: Promise<Kernel> };

/** The booted kernel; the first call boots it (config, database, migrations, jobs, events). */
export function getKernel(): Promise<Kernel> {
  holder[KEY] ??= bootKernel({ config: loadConfig(), plugins, defaultMetrics: true });
  return holder[KEY];
}
