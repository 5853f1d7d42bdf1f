/**
 * One MCP server for one request, acting as one token: tools from the kernel tool registry
 * (src/kernel/tools.ts), dashboards as resources, and a prompt for building a dashboard.
 *
 * Everything goes through the procedures themselves (validation, authorization, scoped
 * transactions, audit), so an agent can do exactly what its person can, within the token's
 * org and scopes. Every tool call and resource read is also recorded in the audit log as the
 * agent (actor kind "agent", the token, the client's name).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type JSONRPCRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { writeAudit } from "~/kernel/audit";
import { auditBatcherFor } from "./audit-batch";
import { withScope } from "~/kernel/scope";
import { availableTools, callTool, inputSchemaWithDefaults, toolErrorOf, type JsonSchemaObject, type ToolDescriptor, type ToolResult } from "~/kernel/tools";
import { auditActorOf } from "~/kernel/trpc";
import { callProcedure, contextFor, hasProcedure, ProtocolError, type AgentRequest } from "./context";
import { buildDashboardPrompt, PROMPTS } from "./prompts";
import { dashboardResources, DASHBOARD_TEMPLATE, readDashboardResource } from "./resources";

/** JSON-RPC "resource not found" (MCP). */
const RESOURCE_NOT_FOUND = -32002;

export const SERVER_INFO = { name: "atrium", title: "Atrium", version: "1.0.0" } as const;

export const INSTRUCTIONS = [
  "Atrium holds analytics dashboards: organizations contain projects, projects contain dashboards written as YAML documents.",
  "This connection acts for one person in one organization (orgId is filled in for you).",
  "Start with whoami or list_projects; pass a project's id (or its slug) as projectId.",
  "Explore data with list_data_sources, describe_tables and run_query (read-only, capped) before writing SQL into a dashboard.",
  "Check a document with validate_dashboard before create_dashboard or update_dashboard; update_dashboard needs the version you read (a stale version is a conflict: read it again).",
].join(" ");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `get_dashboard` → `Get dashboard`. */
function titleOf(name: string): string {
  const words = name.split("_").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Agents may name the org and a project by slug too: the schema says so (calls resolve them,
 * see `resolveOrg` and `resolveProject`).
 */
function agentSchema(schema: JsonSchemaObject, orgId: string): JsonSchemaObject {
  const properties = { ...schema.properties };
  if (properties.orgId) {
    properties.orgId = { type: "string", minLength: 1, maxLength: 64, description: `The organization: its id or its slug (from whoami or list_orgs). Defaults to ${orgId}, this connection's organization.` };
  }
  if (properties.projectId) {
    properties.projectId = { type: "string", minLength: 1, maxLength: 64, description: "The project: its id (from list_projects) or its slug." };
  }
  return Object.assign({}, schema, { properties });
}

export function toolOf(tool: ToolDescriptor, orgId: string): Tool {
  return {
    name: tool.name,
    title: titleOf(tool.name),
    description: tool.description,
    inputSchema: agentSchema(inputSchemaWithDefaults(tool, { orgId }), orgId) as Tool["inputSchema"],
    annotations: {
      title: titleOf(tool.name),
      readOnlyHint: tool.readOnly,
      destructiveHint: tool.destructive,
      idempotentHint: tool.idempotent,
      openWorldHint: false,
    },
  };
}

/** JSON text of a value (dates as ISO strings, bigints as strings). */
function jsonOf(value: unknown): string {
  try {
    // Without a replacer first: a replacer function is called for every key and costs more
    // than the whole serialization of a usual answer. Only a bigint makes it throw.
    return JSON.stringify(value ?? null);
  } catch {
    return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
}

/** A tool's answer: structured content (always an object) and the same as JSON text; charts also as an image. */
export function successResult(data: unknown): CallToolResult {
  // An object is written once: its text is the content, its parse the structured copy.
  const isObject = data !== null && typeof data === "object" && !Array.isArray(data);
  const text = isObject ? jsonOf(data) : null;
  const value: unknown = JSON.parse(text ?? jsonOf(data));
  const structured =
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { [Array.isArray(value) ? "items" : "result"]: value };
  const content: CallToolResult["content"] = [{ type: "text", text: text !== null && structured === value ? text : JSON.stringify(structured) }];
  if (typeof structured.svg === "string") {
    content.push({ type: "image", data: Buffer.from(structured.svg, "utf8").toString("base64"), mimeType: "image/svg+xml" });
  }
  return { content, structuredContent: structured };
}

/**
 * `successResult(data)` as JSON text, written without building it: for an object answer (the
 * usual case) the text content and the structured copy are the same JSON, so it is serialized
 * once and never parsed back. Null when the answer needs `successResult` (not an object, a chart's
 * image).
 */
export function successResultJson(data: unknown): string | null {
  if (data === null || typeof data !== "object" || Array.isArray(data) || typeof (data as { svg?: unknown }).svg === "string") return null;
  const text = jsonOf(data);
  // An object whose toJSON gives something else than an object (a Date) takes the general path.
  if (typeof text !== "string" || text.charCodeAt(0) !== 123 /* { */) return null;
  return `{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}}`;
}

type ToolError = Extract<ToolResult, { ok: false }>["error"];

/** A tool error the model can act on: the code, the message and every field at fault. */
export function errorResult(error: ToolError): CallToolResult {
  const fields = Object.entries(error.fieldErrors ?? {}).map(([field, messages]) => `- ${field}: ${messages.join("; ")}`);
  const text = [`${error.code}: ${error.message}`, ...(fields.length ? ["Fields:", ...fields] : [])].join("\n");
  // Fields in the order of the SDK's result schema, so the answer is the same bytes whichever way it is sent.
  return {
    content: [{ type: "text", text }],
    structuredContent: { error: { code: error.code, message: error.message, fieldErrors: error.fieldErrors } },
    isError: true,
  };
}

/** `orgId` given as a slug → the org's id, through `orgs.bySlug` (another org's slug: 404, as its id would be). */
async function resolveOrg(
  request: AgentRequest,
  args: Record<string, unknown>,
): Promise<{ ok: true; args: Record<string, unknown> } | { ok: false; error: ToolError }> {
  const given = args.orgId;
  if (typeof given !== "string" || UUID.test(given) || !hasProcedure(request.router, "orgs.bySlug")) return { ok: true, args };
  try {
    const org = (await callProcedure(request, "orgs.bySlug", { slug: given })) as { id: string };
    // A spread, not Object.assign: the arguments are the caller's JSON (an own "__proto__" key
    // stays a plain key). Only a slug given as orgId comes here.
    // eslint-disable-next-line no-restricted-syntax
    return { ok: true, args: { ...args, orgId: org.id } };
  } catch (err) {
    const error = toolErrorOf(err);
    if (error.code === "UNPROCESSABLE_CONTENT" || error.code === "NOT_FOUND") {
      return { ok: false, error: { code: "NOT_FOUND", httpStatus: 404, message: "Organization not found.", fieldErrors: { orgId: [`No organization "${given.slice(0, 64)}" for this connection.`] } } };
    }
    return { ok: false, error };
  }
}

/** `projectId` given as a slug → the project's id, through `projects.bySlug` (404s alike). */
async function resolveProject(
  request: AgentRequest,
  args: Record<string, unknown>,
): Promise<{ ok: true; args: Record<string, unknown> } | { ok: false; error: ToolError }> {
  const given = args.projectId;
  if (typeof given !== "string" || UUID.test(given) || !hasProcedure(request.router, "projects.bySlug")) return { ok: true, args };
  try {
    const project = (await callProcedure(request, "projects.bySlug", { orgId: args.orgId ?? request.actor.orgId, slug: given })) as { id: string };
    // A spread for the caller's JSON, as in resolveOrg; only a slug given as projectId comes here.
    // eslint-disable-next-line no-restricted-syntax
    return { ok: true, args: { ...args, projectId: project.id } };
  } catch (err) {
    const error = toolErrorOf(err);
    if (error.code === "UNPROCESSABLE_CONTENT" || error.code === "NOT_FOUND") {
      const message = `Project "${given}" not found.`;
      return { ok: false, error: { code: "NOT_FOUND", httpStatus: 404, message, fieldErrors: { projectId: [`No project "${given}" in this organization.`] } } };
    }
    return { ok: false, error };
  }
}

/**
 * One audit event for one agent action (reads included), in the token's org. `batched`: a call
 * that only read and succeeded is queued and written with others within 100 ms
 * (./audit-batch.ts); everything else is stored before the answer.
 */
async function auditAgent(request: AgentRequest, action: string, target: { type: string; id: string }, data: Record<string, unknown>, batched = false): Promise<void> {
  const { kernel, actor } = request;
  if (batched) {
    auditBatcherFor(kernel).add({ userId: actor.userId, orgId: actor.orgId }, auditActorOf(actor), { action, orgId: actor.orgId, target, data }, { ip: request.ip, requestId: request.requestId });
    return;
  }
  try {
    await withScope(kernel.db, { userId: actor.userId, orgId: actor.orgId }, (trx) =>
      writeAudit(trx, auditActorOf(actor), { action, orgId: actor.orgId, target, data }, { ip: request.ip, requestId: request.requestId }),
    );
  } catch (err) {
    kernel.log.error({ err, requestId: request.requestId, action }, "could not record an agent action in the audit log");
  }
}

/**
 * What a handler knows of the call it serves: the request (who, from where) and, once read, the
 * caller's tools. It travels with each message as the transport's `authInfo.extra`, so one server
 * can serve many callers at once without any state shared between their calls.
 */
export interface McpCall {
  request: AgentRequest;
  tools?: Promise<ToolDescriptor[]>;
}

/** The `authInfo` a transport hands the server with a message of `call` (no secret in it). */
export function authInfoOf(call: McpCall): AuthInfo {
  return { token: "", clientId: call.request.actor.agent?.client ?? "", scopes: [...call.request.actor.scopes], extra: { call } };
}

function callOf(extra: { authInfo?: AuthInfo }): McpCall {
  const call = extra.authInfo?.extra?.call as McpCall | undefined;
  // Every transport of ours sends the call; a message without one never reaches a tool.
  if (!call) throw new ProtocolError(ErrorCode.InternalError, "No caller for this message.");
  return call;
}

/** The tools this call's token may use, computed once per call. */
const available = (call: McpCall) => (call.tools ??= availableTools(call.request.kernel, call.request.router, call.request.actor));

/** `tools/call`: the tool run as the call's token, audited; an unknown tool is a protocol error. */
async function toolCall(params: CallToolRequest["params"], call: McpCall): Promise<CallToolResult> {
  const result = await runTool(params, call);
  return result.ok ? successResult(result.data) : errorResult(result.error);
}

/** The tool's outcome (audited); throws the protocol error for a tool this caller does not have. */
async function runTool(params: CallToolRequest["params"], call: McpCall): Promise<ToolResult> {
  const { request } = call;
  const { router, actor } = request;
  const started = performance.now();
  const name = params.name.slice(0, 100);
  const list = await available(call);
  const args: Record<string, unknown> = params.arguments ?? {};
  const tool = list.find((t) => t.name === name) ?? null;
  const withOrg = tool ? await resolveOrg(request, args) : ({ ok: true, args } as const);
  const resolved = withOrg.ok && tool ? await resolveProject(request, withOrg.args) : withOrg;
  const result: ToolResult = resolved.ok
    ? await callTool(router, contextFor(request), name, resolved.args, { available: list, defaults: { orgId: actor.orgId } })
    : { ok: false, tool, error: resolved.error };
  // Built field by field: on Node 20 a literal with properties after a spread is V8's slow path.
  const data: Record<string, unknown> = { tool: name, ok: result.ok };
  if (!result.ok) data.error = result.error.code;
  data.ms = Math.round(performance.now() - started);
  data.arguments = params.arguments ?? {};
  await auditAgent(request, "agent.tool.call", { type: "tool", id: name }, data, result.ok && result.tool.readOnly && result.tool.type === "query");
  if (!result.ok && result.tool === null) {
    // Unknown, or not this caller's to use: the same answer, so tool lists cannot be probed.
    throw new ProtocolError(ErrorCode.InvalidParams, `Tool "${name}" not found.`);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The params of a usual `tools/call` — a name, arguments as an object or none, no `_meta`, no
 * task — taken as they are; null for anything else, which the SDK's schema then judges.
 */
function plainToolCallParams(params: unknown): CallToolRequest["params"] | null {
  if (!isPlainObject(params) || typeof params.name !== "string" || params._meta !== undefined || params.task !== undefined) return null;
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return null;
  return params as CallToolRequest["params"];
}

/**
 * A plain `tools/call` answered without the SDK's protocol machinery (its abort controller, the
 * request parsed twice, the whole result parsed again against the result schema), as the JSON
 * text of the answer: the same bytes the SDK's server gives — the result, or `{ code, message }` for a thrown error (ours
 * carry a JSON-RPC code; anything else is -32603). Our results are valid by construction
 * (`successResult`, `errorResult`; tested against the SDK's schema). Null when the SDK should
 * decide: the request does not parse as a tool call, or asks for a task.
 */
export async function answerToolCall(message: JSONRPCRequest, call: McpCall): Promise<string | null> {
  if (message.method !== "tools/call") return null;
  const params = plainToolCallParams(message.params) ?? CallToolRequestSchema.safeParse(message).data?.params;
  if (!params || params.task) return null;
  let result: ToolResult;
  try {
    result = await runTool(params, call);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e.code === "number" && Number.isSafeInteger(e.code) ? e.code : ErrorCode.InternalError;
    const error = { code, message: typeof e.message === "string" ? e.message : "Internal error", ...(e.data !== undefined ? { data: e.data } : {}) };
    return JSON.stringify({ jsonrpc: "2.0", id: message.id, error });
  }
  // Key order as the SDK's server writes its answers.
  const answer = (result.ok ? successResultJson(result.data) : null) ?? JSON.stringify(result.ok ? successResult(result.data) : errorResult(result.error));
  return `{"result":${answer},"jsonrpc":"2.0","id":${JSON.stringify(message.id)}}`;
}

/**
 * The MCP server: handlers read who is calling from each message (`McpCall`), never from the
 * server, so one instance serves every caller (./direct-transport.ts) and a fresh one per request
 * behaves the same (the SDK's HTTP transport, for the rare messages that take that path).
 */
export function createMcpServer(): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false } },
    instructions: INSTRUCTIONS,
  });
  server.setRequestHandler(ListToolsRequestSchema, async (_message, extra) => {
    const call = callOf(extra);
    return { tools: (await available(call)).map((tool) => toolOf(tool, call.request.actor.orgId)) };
  });

  server.setRequestHandler(CallToolRequestSchema, async ({ params }, extra) => toolCall(params, callOf(extra)));

  server.setRequestHandler(ListResourcesRequestSchema, async (_message, extra) => ({ resources: await dashboardResources(callOf(extra).request) }));

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_message, extra) => ({
    resourceTemplates: hasProcedure(callOf(extra).request.router, "dashboards.get") ? [DASHBOARD_TEMPLATE] : [],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async ({ params }, extra) => {
    const { request } = callOf(extra);
    const contents = await readDashboardResource(request, params.uri);
    await auditAgent(request, "agent.resource.read", { type: "resource", id: params.uri.slice(0, 300) }, { uri: params.uri, ok: contents !== null }, contents !== null);
    if (!contents) throw new ProtocolError(RESOURCE_NOT_FOUND, `Resource not found: ${params.uri.slice(0, 300)}`);
    return { contents: [contents] };
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: PROMPTS }));

  server.setRequestHandler(GetPromptRequestSchema, async ({ params }, extra) => {
    const { request } = callOf(extra);
    if (params.name !== "build_dashboard") throw new ProtocolError(ErrorCode.InvalidParams, `Prompt "${params.name}" not found.`);
    return buildDashboardPrompt(request, params.arguments ?? {});
  });

  return server;
}
