/**
 * The assistant's conversation in the browser: the AI SDK's `AbstractChat` (there is no Solid
 * binding) over a plain state that tells a listener when it changes, so the Solid panel can
 * re-render and tests can run it in Node against the real endpoint logic.
 *
 * It gives the panel: send, stop, retry (regenerate), edit-and-resend (send with a messageId),
 * approving or declining a destructive tool, and `write_to_editor` run in the browser (the
 * proposal goes to the open editor as a diff; the answer is sent back when the person decides).
 */
import {
  AbstractChat,
  DefaultChatTransport,
  isToolUIPart,
  getToolName,
  lastAssistantMessageIsCompleteWithApprovalResponses,
  lastAssistantMessageIsCompleteWithToolCalls,
  type ChatState,
  type ChatStatus,
  type UIMessage,
} from "ai";

import { WRITE_TO_EDITOR } from "./parts";

export { WRITE_TO_EDITOR };
export const CHAT_ENDPOINT = "/api/assistant/chat";

export interface AssistantMessageMetadata {
  threadId?: string;
  usage?: { inputTokens: number; outputTokens: number };
}

export type AssistantMessage = UIMessage<AssistantMessageMetadata>;

/** Where the person is: sent with every request. */
export interface ChatScope {
  orgId: string;
  projectId: string | null;
  place: "org.home" | "dashboard.view" | "dashboard.edit" | "chart.builder";
  dashboardSlug?: string | null;
  chartId?: string | null;
  /** The open editor's text at send time, if any. */
  editor?: { language: "yaml" | "sql"; label: string; value: string } | null;
}

/** A refused request (not configured, rate limited, not found …) with the server's code. */
export class AssistantRequestError extends Error {
  override name = "AssistantRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

class ListState implements ChatState<AssistantMessage> {
  status: ChatStatus = "ready";
  error: Error | undefined = undefined;
  messages: AssistantMessage[];
  constructor(
    messages: AssistantMessage[],
    private readonly changed: () => void,
  ) {
    this.messages = messages;
  }
  // The chat mutates the streaming message in place: store copies, so each change is a new object.
  pushMessage = (message: AssistantMessage) => {
    this.messages = [...this.messages, this.snapshot(message)];
    this.changed();
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
    this.changed();
  };
  replaceMessage = (index: number, message: AssistantMessage) => {
    this.messages = [...this.messages.slice(0, index), this.snapshot(message), ...this.messages.slice(index + 1)];
    this.changed();
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

export interface AssistantChatOptions {
  scope: () => ChatScope;
  /** The thread to continue, if any (its messages in `messages`). */
  threadId?: string | null;
  messages?: AssistantMessage[];
  /** Called on every change (messages, status, error). */
  onChange?: () => void;
  /** Called when the server names the thread (the first answer of a new conversation). */
  onThread?: (threadId: string) => void;
  /**
   * Shows a proposal in the open editor; resolves true (accepted), false (rejected), or null
   * when no editor is open.
   */
  proposeEdit?: (content: string, note: string | undefined) => Promise<boolean | null>;
  /** Base URL for Node tests; the browser uses the page's origin. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
}

/** The last step of the last message ran a browser tool (so its answer goes back at once). */
function lastStepHasBrowserTool(messages: AssistantMessage[]): boolean {
  const last = messages[messages.length - 1];
  if (!last || last.role !== "assistant") return false;
  const start = last.parts.reduce((index, part, i) => (part.type === "step-start" ? i : index), -1);
  return last.parts.slice(start + 1).some((part) => isToolUIPart(part) && getToolName(part) === WRITE_TO_EDITOR);
}

export class AssistantChat extends AbstractChat<AssistantMessage> {
  threadId: string | null;
  private readonly listState: ListState;

  private readonly options: AssistantChatOptions;

  constructor(options: AssistantChatOptions) {
    // Callbacks given to super() reach the instance through this holder (no `this` before super).
    const self: { chat: AssistantChat | null } = { chat: null };
    const state = new ListState(options.messages ?? [], () => options.onChange?.());
    const fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    super({
      state,
      transport: new DefaultChatTransport<AssistantMessage>({
        api: `${options.baseUrl ?? ""}${CHAT_ENDPOINT}`,
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const response = await fetcher(input, init);
          if (response.ok) return response;
          let code = "ERROR";
          let message = `The assistant could not answer (HTTP ${response.status}).`;
          try {
            const body = (await response.json()) as { error?: { code?: string; message?: string } };
            code = body.error?.code ?? code;
            message = body.error?.message ?? message;
          } catch {
            // not JSON: keep the generic message
          }
          const retry = Number(response.headers.get("retry-after"));
          throw new AssistantRequestError(response.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null);
        }) as typeof globalThis.fetch,
        prepareSendMessagesRequest: ({ messages }) => ({
          body: { ...options.scope(), threadId: self.chat?.threadId ?? null, messages },
        }),
      }),
      onToolCall: ({ toolCall }) => {
        if (toolCall.toolName !== WRITE_TO_EDITOR) return;
        const input = (toolCall.input ?? {}) as { content?: unknown; note?: unknown };
        // Not awaited: the stream goes on while the person decides.
        void self.chat?.answerEditorProposal(toolCall.toolCallId, typeof input.content === "string" ? input.content : "", typeof input.note === "string" ? input.note : undefined);
      },
      onFinish: ({ message }) => {
        const id = message.metadata?.threadId;
        const chat = self.chat;
        if (chat && id && id !== chat.threadId) {
          chat.threadId = id;
          options.onThread?.(id);
        }
      },
      sendAutomaticallyWhen: ({ messages }) =>
        lastAssistantMessageIsCompleteWithApprovalResponses({ messages }) ||
        (lastStepHasBrowserTool(messages) && lastAssistantMessageIsCompleteWithToolCalls({ messages })),
    });
    this.options = options;
    this.listState = state;
    this.threadId = options.threadId ?? null;
    self.chat = this;
  }

  protected override setStatus(next: { status: ChatStatus; error?: Error }): void {
    super.setStatus(next);
    this.options?.onChange?.();
  }

  /** Replaces the conversation (opening another thread, or a new one). */
  load(threadId: string | null, messages: AssistantMessage[]): void {
    this.threadId = threadId;
    this.listState.messages = messages;
    this.clearError();
    this.options.onChange?.();
  }

  private async answerEditorProposal(toolCallId: string, content: string, note: string | undefined): Promise<void> {
    let accepted: boolean | null = null;
    try {
      accepted = this.options.proposeEdit ? await this.options.proposeEdit(content, note) : null;
    } catch {
      accepted = null;
    }
    if (accepted === null) {
      await this.addToolOutput({ state: "output-error", tool: WRITE_TO_EDITOR, toolCallId, errorText: "No editor is open to write into." });
      return;
    }
    await this.addToolOutput({
      tool: WRITE_TO_EDITOR,
      toolCallId,
      output: accepted
        ? { accepted: true, message: "The person accepted the change; the editor now holds it (not saved yet)." }
        : { accepted: false, message: "The person rejected the change; the editor is unchanged." },
    });
  }
}
