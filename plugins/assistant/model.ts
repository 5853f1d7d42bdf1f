/**
 * The language model from the configuration: any OpenAI-compatible chat-completions server
 * through `@ai-sdk/openai-compatible` (usage included in streams, for the daily budget), or
 * the AI SDK's gateway for the other providers it supports.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createGateway, type LanguageModel } from "ai";
import type { AssistantConfig } from "./config";

export function languageModelFor(config: Extract<AssistantConfig, { configured: true }>): LanguageModel {
  if (config.provider === "gateway") {
    return createGateway({ apiKey: config.apiKey ?? undefined, ...(config.baseUrl ? { baseURL: config.baseUrl } : {}) })(config.model);
  }
  const provider = createOpenAICompatible({
    name: "atrium-ai",
    baseURL: config.baseUrl!,
    apiKey: config.apiKey ?? undefined,
    includeUsage: true,
  });
  return provider.chatModel(config.model);
}
