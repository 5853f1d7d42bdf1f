/**
 * Capabilities: what a member may do, named by typed constants and granted to roles by data.
 *
 * Feature code never asks "is this an admin?"; it declares the capability a procedure needs
 * (`capabilityProcedure(noteWrite)`) and the kernel resolves the caller's role in the org.
 */
import type { Role } from "./db/schema";

export type { Role };
export const ROLES = ["owner", "admin", "editor", "viewer"] as const satisfies readonly Role[];

/** A capability: its id, what it allows (and so what denial looks like), and default grants. */
export interface Capability<Id extends string = string> {
  readonly id: Id;
  readonly description: string;
  readonly grant: readonly Role[];
}

const CAPABILITY_ID = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/** Declares a capability. Ids are dotted lower-case: `sharing.link.create`. */
export function defineCapability<const Id extends string>(
  id: Id,
  definition: { description: string; grant: readonly Role[] },
): Capability<Id> {
  if (!CAPABILITY_ID.test(id)) {
    throw new Error(`Capability id "${id}" must be dotted lower-case words, e.g. "sharing.link.create"`);
  }
  for (const role of definition.grant) {
    if (!ROLES.includes(role)) throw new Error(`Capability "${id}" grants unknown role "${role}"`);
  }
  return Object.freeze({ id, description: definition.description, grant: Object.freeze([...definition.grant]) });
}

/** All capabilities of the installed plugins, by id. */
export class CapabilityRegistry {
  private readonly byId = new Map<string, { capability: Capability; pluginId: string }>();

  register(pluginId: string, capability: Capability): void {
    const existing = this.byId.get(capability.id);
    if (existing) {
      throw new Error(
        `Capability "${capability.id}" is declared by both plugin "${existing.pluginId}" and plugin "${pluginId}"`,
      );
    }
    this.byId.set(capability.id, { capability, pluginId });
  }

  get(id: string): Capability | undefined {
    return this.byId.get(id)?.capability;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Whether `role` holds capability `id` (unknown capabilities are never granted). */
  allows(role: Role, id: string): boolean {
    return this.byId.get(id)?.capability.grant.includes(role) ?? false;
  }

  /** The capability ids a role holds, for the UI to filter what it offers. */
  forRole(role: Role): string[] {
    return [...this.byId.values()].filter((e) => e.capability.grant.includes(role)).map((e) => e.capability.id).sort();
  }

  list(): Array<Capability & { pluginId: string }> {
    return [...this.byId.values()].map((e) => ({ ...e.capability, pluginId: e.pluginId }));
  }
}
