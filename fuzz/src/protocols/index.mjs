/**
 * The protocols the fuzz suite can serve, by name. A provider adapter adds one module here
 * (its valid streams, mutations, edge cases and reference decoder); nothing else changes.
 */
import { openaiChat } from './openai-chat.mjs';

export const PROTOCOLS = {
  [openaiChat.name]: openaiChat,
};
