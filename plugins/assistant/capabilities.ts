import { defineCapability } from "~/kernel/capabilities";

/**
 * Denied: never happens to a member by default (every role holds it; non-members get 404).
 * An org that takes it from a role hides the assistant panel and answers 403 to its calls.
 * What the assistant may then do is decided per tool by the person's own capabilities.
 */
export const assistantUse = defineCapability("assistant.use", {
  description: "Ask the assistant and keep conversation threads",
  grant: ["owner", "admin", "editor", "viewer"],
});

export const assistantCapabilities = [assistantUse] as const;
