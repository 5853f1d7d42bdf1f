/**
 * The plugin contract.
 *
 * A plugin is one folder, `plugins/<id>/`, whose `index.ts` exports `<camelId>Plugin =
 * definePlugin({...})`: declarative data the kernel reads at boot without running anything
 * (capabilities, migrations, router, jobs, event handlers, CLI commands, HTTP routes), plus an `init` hook
 * for side effects. Its browser half (slots and pages) lives in `plugins/<id>/ui.ts` and is
 * declared with `definePluginUi` (see docs/decisions/005-plugin-server-and-ui-halves.md).
 */
import type { AnyRouter } from "@trpc/server";
import type { Migration } from "kysely";
import type { SignInContribution } from "./auth/providers";
import type { Capability } from "./capabilities";
import type { AtriumEvents, EventEnvelope } from "./events";
import type { GrantLister, GrantOrgLister, GrantResolver } from "./grants";
import type { HttpRoute } from "./http/routes";
import type { JobDefinition } from "./jobs";
import type { Kernel } from "./kernel";

export const PLUGIN_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MIGRATION_NAME = /^\d{4}-\d{2}-\d{2}-\d{3}-[a-z0-9-]+$/;

/** Handlers for kernel events, keyed by event name. */
export type EventHandlers = {
  [N in keyof AtriumEvents]?: (event: EventEnvelope<N>, kernel: Kernel) => void | Promise<void>;
};

/** A command a plugin adds to `npm run atrium -- <name>`. */
export interface CliCommand {
  /** One line for `--help`. */
  summary: string;
  /** Usage after the command name, e.g. `--org <slug> [--table <name>]`. */
  usage?: string;
  run(args: { kernel: Kernel; flags: Record<string, string | boolean>; print: (line: string) => void }): Promise<void>;
}

/** What `init` receives: the booted kernel. */
export interface PluginInitContext {
  kernel: Kernel;
}

export interface PluginDefinition<Id extends string = string, Router extends AnyRouter | undefined = AnyRouter | undefined> {
  /** kebab-case, unique; the router is mounted under its camelCase form. */
  readonly id: Id;
  /** Plugins that must be installed, earlier in `src/plugins.ts`. */
  readonly requires?: readonly string[];
  readonly capabilities?: readonly Capability[];
  /** Migrations by date-prefixed name (`2026-11-22-001-share-links`), run in name order. */
  readonly migrations?: Readonly<Record<string, Migration>>;
  readonly router?: Router;
  readonly jobs?: readonly JobDefinition<string, any>[];
  readonly on?: EventHandlers;
  readonly cli?: Readonly<Record<string, CliCommand>>;
  /**
   * Ways to sign in this plugin offers: redirect providers (routes `/auth/<id>/…` and a button),
   * and the person's methods it keeps (listed and unlinked on the account page). See
   * src/kernel/auth/providers.ts.
   */
  readonly signIn?: SignInContribution;
  /**
   * The plugin's own HTTP endpoints (MCP, webhooks, public data): `{ method, path, handle }`,
   * served by the kernel's dispatcher (src/kernel/http/dispatch.ts). Kernel paths and a
   * method+path another plugin declares are refused at boot. See docs/plugins.md.
   */
  readonly http?: readonly HttpRoute[];
  /**
   * Grants this plugin keeps (sharing): asked by `grantableProjectProcedure` when a caller's
   * membership does not reach a project or a resource in it. See src/kernel/grants.ts.
   */
  readonly grants?: GrantResolver;
  /**
   * The grants a person holds in an org, listed (sharing): org-wide lists built with
   * `grantableOrgProcedure` (search, recent, the tools an agent sees) add what they reach.
   */
  readonly grantsHeld?: GrantLister;
  /** The orgs where a person holds grants, across orgs (the MCP consent screen offers them). */
  readonly grantOrgs?: GrantOrgLister;
  /** Runs once the kernel is booted (database migrated, jobs and events started). */
  init?(ctx: PluginInitContext): void | Promise<void>;
  /** Runs when the kernel stops, before the database closes (close pools, timers). */
  stop?(ctx: PluginInitContext): void | Promise<void>;
}

export type AnyPlugin = PluginDefinition<string, AnyRouter | undefined>;

/** Declares a plugin. Checks its own shape now; the kernel checks the whole list at boot. */
export function definePlugin<const Id extends string, Router extends AnyRouter | undefined = undefined>(
  definition: PluginDefinition<Id, Router>,
): PluginDefinition<Id, Router> {
  if (!PLUGIN_ID.test(definition.id)) {
    throw new Error(`Plugin id "${definition.id}" must be kebab-case (e.g. "auth-password")`);
  }
  for (const name of Object.keys(definition.migrations ?? {})) {
    if (!MIGRATION_NAME.test(name)) {
      throw new Error(`Plugin "${definition.id}": migration "${name}" must be named YYYY-MM-DD-NNN-description`);
    }
  }
  for (const cap of definition.capabilities ?? []) {
    if (!cap || typeof cap.id !== "string") throw new Error(`Plugin "${definition.id}": capabilities must come from defineCapability()`);
  }
  return Object.freeze({ ...definition });
}

/** `auth-password` → `authPassword`, at the type level. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** `auth-password` → `authPassword`. */
export function camelCase<S extends string>(id: S): CamelCase<S> {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

type RouterOf<P extends AnyPlugin> = Exclude<P["router"], undefined>;

/** The router record a plugin list contributes: `{ [camelId]: router }`. */
export type PluginRouters<Plugins extends readonly AnyPlugin[]> = {
  [P in Plugins[number] as [RouterOf<P>] extends [never] ? never : CamelCase<P["id"]>]: RouterOf<P>;
};
