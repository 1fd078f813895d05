/**
 * The protocols the fuzz suite can serve, by name. A provider adapter adds one module here
 * (its valid streams, mutations, edge cases and reference decoder); nothing else changes.
 */
import { anthropicMessages } from './anthropic-messages.mjs';
import { bedrockConverse } from './bedrock-converse.mjs';
import { ollamaChat } from './ollama-chat.mjs';
import { openaiChat } from './openai-chat.mjs';

export const PROTOCOLS = {
  [openaiChat.name]: openaiChat,
  [anthropicMessages.name]: anthropicMessages,
  [bedrockConverse.name]: bedrockConverse,
  [ollamaChat.name]: ollamaChat,
};
