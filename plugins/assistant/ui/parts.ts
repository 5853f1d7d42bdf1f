/**
 * Message-part helpers that need nothing from the AI SDK, so the panel's first paint does not
 * load it (the SDK's client loads on the first question or opened conversation).
 */

/** The browser-side tool that writes into the open editor. */
export const WRITE_TO_EDITOR = "write_to_editor";

export interface ToolPartLike {
  type: string;
  toolName?: string;
  state: string;
}

/** A tool call part (`tool-<name>`, or `dynamic-tool`). */
export function isToolPart(part: { type: string }): part is ToolPartLike {
  return part.type.startsWith("tool-") || part.type === "dynamic-tool";
}

export function toolNameOf(part: ToolPartLike): string {
  return part.type === "dynamic-tool" ? (part.toolName ?? "") : part.type.slice("tool-".length);
}
