/**
 * The root router: the kernel's own procedures (`kernel`, `auth`, `orgs`, `projects`, `audit`), and each plugin's router under
 * its camelCase id. Built from the static plugin list so `AppRouter` is inferred end to end.
 */
import { createTRPCRouter, publicProcedure } from "./trpc";
import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { orgsRouter } from "./routers/orgs";
import { projectsRouter } from "./routers/projects";
import { signInRouter } from "./auth/router";
import { camelCase, type AnyPlugin, type PluginRouters } from "./plugin";

/** Read once: `process.env` is a lookup in the process's environment on every access. */
const VERSION = process.env.npm_package_version ?? "0.1.0";

export const kernelRouter = createTRPCRouter({
  /** What this server runs: its version and installed plugins. */
  info: publicProcedure.query(({ ctx }) => ({
    name: "Atrium",
    version: VERSION,
    plugins: ctx.kernel.plugins.map((p) => p.id),
  })),
});

/** Builds the root router from a plugin list. */
export function buildAppRouter<const Plugins extends readonly AnyPlugin[]>(plugins: Plugins) {
  const record: Record<string, unknown> = {};
  for (const plugin of plugins) if (plugin.router) record[camelCase(plugin.id)] = plugin.router;
  return createTRPCRouter({
    ...(record as PluginRouters<Plugins>),
    kernel: kernelRouter,
    auth: authRouter,
    orgs: orgsRouter,
    projects: projectsRouter,
    audit: auditRouter,
    signIn: signInRouter,
  });
}
