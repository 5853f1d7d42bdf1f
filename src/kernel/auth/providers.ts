/**
 * The sign-in extension point: how plugins (auth-password, auth-oidc, auth-github …) offer ways
 * to sign in without the kernel or the routes knowing them by name.
 *
 * A plugin declares `signIn: { providers, methods, remove }` (see `SignInContribution`):
 *
 * - `providers()`: the redirect-based providers it offers, configured now (from the
 *   environment): each one gets the routes `/auth/<id>/start` and `/auth/<id>/callback`
 *   (src/routes/auth/[provider]/) and, through `signIn.providers`, a button on the sign-in page;
 * - `methods(db, userId)`: the ways this person can sign in that the plugin keeps (a password,
 *   linked identities), for the account page's "Sign-in methods" list;
 * - `remove(db, userId, id)`: unlinks one of them.
 *
 * The kernel puts them together (`signInProviders`, `listSignInMethods`, `removeSignInMethod`)
 * and refuses to remove a person's last method: nobody can lock themselves out.
 */
import { TRPCError } from "@trpc/server";
import type { Kysely } from "kysely";
import type { KernelDatabase } from "../db/schema";
import type { Kernel } from "../kernel";
import type { AnyPlugin } from "../plugin";

/** Provider ids are URL segments and identity keys: `okta`, `google`, `github`. */
export const PROVIDER_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** What a provider's callback handler receives besides the query string. */
export interface ProviderCallbackRequest {
  resHeaders: Headers;
  ip: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** The person signed in on this browser at the callback, if any. */
  signedInUserId: string | null;
}

/** Where a callback sends the browser: `next`, or `/sign-in?error=<code>`. */
export interface ProviderCallbackResult {
  location: string;
  userId: string | null;
  /** The failure code (see provider-errors.ts), null on success. */
  reason: string | null;
}

/** A redirect-based sign-in provider (OAuth 2 / OpenID Connect). */
export interface SignInProvider {
  /** URL segment and identity key. */
  readonly id: string;
  /** The button label: "Sign in with <name>". */
  readonly name: string;
  /** The plugin's kind of provider: "oidc", "github". */
  readonly kind: string;
  /**
   * Starts a sign-in and answers the provider's authorization URL. Signed in already
   * (`linkUserId`), the identity is linked to that account at the callback. Throws a
   * `SignInStartError` (or anything) when the provider cannot be reached.
   */
  begin(kernel: Kernel, opts: { next: string | null; linkUserId: string | null }): Promise<URL>;
  /** Finishes a sign-in from the provider's redirect. Never throws for a failed sign-in. */
  complete(kernel: Kernel, search: URLSearchParams, req: ProviderCallbackRequest): Promise<ProviderCallbackResult>;
}

/** Thrown by `begin` with a failure code the sign-in page explains. */
export class SignInStartError extends Error {
  constructor(readonly reason: string) {
    super(`Sign-in could not start: ${reason}`);
  }
}

/** One way a person can sign in, as the account page lists it. */
export interface SignInMethod {
  /** Unique within the plugin: an identity's id, "password". */
  id: string;
  /** "password", "oidc", "github" … */
  kind: string;
  /** The provider id for provider identities, else null. */
  provider: string | null;
  /** "Password", "Okta", "GitHub". */
  label: string;
  /** What identifies it there: the email or login, or null. */
  detail: string | null;
  createdAt: Date | null;
  lastUsedAt: Date | null;
  /** Whether `remove` can take it away (a password is changed, not removed, here). */
  removable: boolean;
}

/** What a plugin declares as `signIn` in its definition. */
export interface SignInContribution {
  providers?(): readonly SignInProvider[];
  methods?(db: Kysely<KernelDatabase>, userId: string): Promise<SignInMethod[]>;
  /** Removes the person's method `id`; answers what was removed, or null when they have no such method. */
  remove?(db: Kysely<KernelDatabase>, userId: string, id: string): Promise<{ kind: string; provider: string | null } | null>;
}

/**
 * Every configured provider of the installed plugins, in plugin order. Throws when two share
 * an id or one has an id unfit for a URL (the kernel checks this at boot).
 */
export function signInProviders(plugins: readonly AnyPlugin[]): SignInProvider[] {
  const out: SignInProvider[] = [];
  const owner = new Map<string, string>();
  for (const plugin of plugins) {
    for (const provider of plugin.signIn?.providers?.() ?? []) {
      if (!PROVIDER_ID.test(provider.id)) throw new Error(`Sign-in provider "${provider.id}" (plugin "${plugin.id}"): ids are lower-case letters, digits and dashes`);
      const other = owner.get(provider.id);
      if (other) throw new Error(`Sign-in provider "${provider.id}" is configured by both "${other}" and "${plugin.id}"`);
      owner.set(provider.id, plugin.id);
      out.push(provider);
    }
  }
  return out;
}

/** The configured provider with this id, or null. */
export function findSignInProvider(kernel: Pick<Kernel, "plugins">, id: string): SignInProvider | null {
  return signInProviders(kernel.plugins).find((p) => p.id === id) ?? null;
}

/** A method as the API shows it: keyed `<plugin>:<id>` so any plugin's method can be named. */
export interface ListedSignInMethod extends Omit<SignInMethod, "id"> {
  id: string;
  pluginId: string;
}

/** All of a person's sign-in methods, across plugins. */
export async function listSignInMethods(kernel: Pick<Kernel, "plugins">, db: Kysely<KernelDatabase>, userId: string): Promise<ListedSignInMethod[]> {
  const out: ListedSignInMethod[] = [];
  for (const plugin of kernel.plugins) {
    if (!plugin.signIn?.methods) continue;
    for (const m of await plugin.signIn.methods(db, userId)) out.push({ ...m, id: `${plugin.id}:${m.id}`, pluginId: plugin.id });
  }
  return out;
}

export const LAST_SIGN_IN_METHOD = "This is your only way to sign in here. Link another provider before removing it.";

/**
 * Removes one of the person's methods (`<plugin>:<id>`). 404 for a method they do not have;
 * 409 when it is their last one. Runs in the caller's transaction, with the person's row
 * locked so two removals at once cannot both pass the count.
 */
export async function removeSignInMethod(
  kernel: Pick<Kernel, "plugins">,
  db: Kysely<KernelDatabase>,
  userId: string,
  key: string,
): Promise<{ kind: string; provider: string | null }> {
  const at = key.indexOf(":");
  const plugin = at > 0 ? kernel.plugins.find((p) => p.id === key.slice(0, at)) : undefined;
  const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such sign-in method on your account." });
  if (!plugin?.signIn?.remove) throw notFound();
  await db.selectFrom("users").select("id").where("id", "=", userId).forUpdate().execute();
  const methods = await listSignInMethods(kernel, db, userId);
  const target = methods.find((m) => m.id === key);
  if (!target) throw notFound();
  if (!target.removable) throw new TRPCError({ code: "CONFLICT", message: `${target.label} cannot be removed here.` });
  if (methods.length <= 1) throw new TRPCError({ code: "CONFLICT", message: LAST_SIGN_IN_METHOD });
  const removed = await plugin.signIn.remove(db, userId, key.slice(at + 1));
  if (!removed) throw notFound();
  return removed;
}

/** How many ways the person can sign in (a password counts when set). */
export async function countSignInMethods(kernel: Pick<Kernel, "plugins">, db: Kysely<KernelDatabase>, userId: string): Promise<number> {
  return (await listSignInMethods(kernel, db, userId)).length;
}
