/**
 * The assistant's tools: the kernel's tool registry (the same tools MCP clients get), called
 * as the signed-in person, plus `write_to_editor`, which only the browser can run.
 *
 * - The org is fixed to the conversation's; the project defaults to the open one.
 * - Every call goes through its procedure (validation, authorization, audit) with the person
 *   as an agent actor, and is itself audited (`assistant.tool.call`).
 * - Results are redacted and cut to a byte budget before the model sees them.
 * - Destructive tools need the person's approval in the panel before they run (AI SDK tool
 *   approval, signed so that only a call the model asked for can be approved).
 * - Tools that take credentials (a database password) are not offered: secrets stay out of
 *   prompts, so the person does that in the form.
 */
import type { AnyRouter } from "@trpc/server";
import { jsonSchema, tool, type ToolSet } from "ai";
import { writeAudit } from "~/kernel/audit";
import type { Kernel } from "~/kernel/kernel";
import { auditActorOf, type Actor, type RequestContext } from "~/kernel/trpc";
import { availableTools, callTool, inputSchemaWithDefaults, type JsonSchemaObject, type ToolDescriptor } from "~/kernel/tools";
import { fitToBudget, redactValue } from "./safety";

/** The label agent actions carry in the audit log. */
export const AGENT_LABEL = "assistant";

export const WRITE_TO_EDITOR = "write_to_editor";

/** The editor open beside the chat, as the browser reports it. */
export interface OpenEditorInfo {
  language: "yaml" | "sql";
  label: string;
}

export interface AssistantToolScope {
  kernel: Kernel;
  router: AnyRouter;
  userId: string;
  sessionId: string | null;
  orgId: string;
  projectId: string | null;
  requestId: string;
  ip: string | null;
  /** Bytes of JSON per result the model sees. */
  resultBudget: number;
  /** Bytes of JSON per result the panel shows (tables, chart previews). */
  displayBudget?: number;
  editor: OpenEditorInfo | null;
  signal?: AbortSignal;
}

/** A failed tool call, as the model and the panel see it (code and a message to act on). */
export class ToolCallFailed extends Error {
  override name = "ToolCallFailed";
  constructor(
    readonly code: string,
    message: string,
    readonly fieldErrors: Record<string, string[]> | null,
  ) {
    super(fieldErrors ? `${code}: ${message} (${Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")})` : `${code}: ${message}`);
  }
}

const SECRET_WORDS = /\b(password|passphrase|api[ _-]?key|client secret|private key)\b/i;

/** Whether a tool's input would carry a credential (so the model would see it). */
export function takesSecrets(tool: ToolDescriptor): boolean {
  if (SECRET_WORDS.test(tool.description)) return true;
  const walk = (schema: unknown): boolean => {
    if (!schema || typeof schema !== "object") return false;
    const s = schema as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown };
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      if (/pass(word)?|secret|api[-_]?key|token|credential/i.test(name)) return true;
      // A free-form connection settings object may hold a password.
      const open = sub && typeof sub === "object" && (sub as { type?: unknown }).type === "object" && !(sub as { properties?: unknown }).properties;
      if (open && /config|settings|connection|options/i.test(name)) return true;
      if (walk(sub)) return true;
    }
    return walk(s.items);
  };
  return walk(tool.inputSchema);
}

/** The input schema the model sees: no orgId (fixed), projectId defaulting to the open project. */
function modelSchema(tool: ToolDescriptor, projectId: string | null): JsonSchemaObject {
  const withDefaults = inputSchemaWithDefaults(tool, { projectId: projectId ? "the project that is open" : undefined });
  const properties = { ...withDefaults.properties };
  delete properties.orgId;
  const required = (withDefaults.required ?? []).filter((name) => name !== "orgId");
  const schema: JsonSchemaObject = { ...withDefaults, properties };
  if (required.length) schema.required = required;
  else delete schema.required;
  return schema;
}

/** Something SVG-like in a result is shown to the person, and described to the model. */
function forModel(value: unknown): unknown {
  if (typeof value === "string") return /^\s*<svg[\s>]/i.test(value) ? `[SVG image, ${value.length} characters, shown to the person]` : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(forModel);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forModel(v)]));
}

/** The person acting through the assistant: their own rights, audited as an agent. */
export function agentActor(scope: Pick<AssistantToolScope, "userId" | "sessionId">): Actor {
  return { kind: "user", userId: scope.userId, sessionId: scope.sessionId, agent: { client: AGENT_LABEL } };
}

/** The tools this person has in this org, as an AI SDK tool set. */
export async function assistantTools(scope: AssistantToolScope): Promise<{ tools: ToolSet; descriptors: ToolDescriptor[] }> {
  const person: Actor = { kind: "user", userId: scope.userId, sessionId: scope.sessionId };
  const descriptors = (await availableTools(scope.kernel, scope.router, person, { orgId: scope.orgId })).filter((t) => !takesSecrets(t));
  const actor = agentActor(scope);
  const ctx: RequestContext = {
    kernel: scope.kernel,
    actor,
    db: scope.kernel.db,
    requestId: scope.requestId,
    ip: scope.ip,
    resHeaders: null,
    signal: scope.signal,
  };
  const displayBudget = scope.displayBudget ?? 64_000;
  const tools: ToolSet = {};
  for (const descriptor of descriptors) {
    const schema = modelSchema(descriptor, scope.projectId);
    const takesProject = "projectId" in (descriptor.inputSchema.properties ?? {});
    tools[descriptor.name] = tool({
      description: descriptor.description + (descriptor.destructive ? " (Destructive: the person is asked to confirm before it runs.)" : ""),
      inputSchema: jsonSchema<Record<string, unknown>>(schema as Parameters<typeof jsonSchema>[0]),
      needsApproval: descriptor.destructive,
      execute: async (args) => {
        const given = { ...(args && typeof args === "object" ? args : {}) } as Record<string, unknown>;
        delete given.orgId; // the conversation's org, whatever the model says
        const result = await callTool(scope.router, ctx, descriptor.name, given, {
          available: descriptors,
          defaults: { orgId: scope.orgId, projectId: takesProject && scope.projectId ? scope.projectId : undefined },
        });
        await scope.kernel
          .withScope({ userId: scope.userId, orgId: scope.orgId }, (trx) =>
            writeAudit(
              trx,
              auditActorOf(actor),
              {
                action: "assistant.tool.call",
                orgId: scope.orgId,
                data: { tool: descriptor.name, ok: result.ok, ...(result.ok ? {} : { code: result.error.code }) },
              },
              { ip: scope.ip, requestId: scope.requestId },
            ),
          )
          .catch((err: unknown) => scope.kernel.log.error({ err, tool: descriptor.name }, "assistant: could not audit a tool call"));
        if (!result.ok) throw new ToolCallFailed(result.error.code, result.error.message, result.error.fieldErrors);
        const shown = fitToBudget(redactValue(result.data), displayBudget);
        return shown.note ? { result: shown.value, note: shown.note } : { result: shown.value };
      },
      toModelOutput: ({ output }) => {
        const data = (output as { result?: unknown }).result;
        const fitted = fitToBudget(forModel(data), scope.resultBudget);
        const note = fitted.note ?? (output as { note?: string }).note ?? null;
        return { type: "json", value: (note ? { result: fitted.value, note } : { result: fitted.value }) as never };
      },
    });
  }
  if (scope.editor) {
    tools[WRITE_TO_EDITOR] = tool({
      description: `Propose new text for the editor the person has open (${scope.editor.label}, ${scope.editor.language.toUpperCase()}). Give the COMPLETE new text, not a fragment. The person sees it as a diff and accepts or rejects it; the answer says which. Nothing is saved until they save.`,
      inputSchema: jsonSchema<{ content: string; note?: string }>({
        type: "object",
        properties: {
          content: { type: "string", description: "The complete new text of the editor." },
          note: { type: "string", description: "One short line saying what changes." },
        },
        required: ["content"],
        additionalProperties: false,
      }),
      // No execute: the browser shows the diff and sends back { accepted }.
    });
  }
  return { tools, descriptors };
}
