/**
 * The protocols the fuzz suite can serve, by name. A provider adapter adds one module here
 * (its valid streams, mutations, edge cases and reference decoder); nothing else changes.
 */
import { anthropicMessages } from './anthropic-messages.mjs';
import { bedrockConverse } from './bedrock-converse.mjs';
import { cohereChat } from './cohere-chat.mjs';
import { geminiStream } from './gemini-stream.mjs';
import { ollamaChat } from './ollama-chat.mjs';
import { openaiChat } from './openai-chat.mjs';
import { openaiResponses } from './openai-responses.mjs';

export const PROTOCOLS = {
  [openaiChat.name]: openaiChat,
  [anthropicMessages.name]: anthropicMessages,
  [bedrockConverse.name]: bedrockConverse,
  [ollamaChat.name]: ollamaChat,
  [cohereChat.name]: cohereChat,
  [geminiStream.name]: geminiStream,
  [openaiResponses.name]: openaiResponses,
};
