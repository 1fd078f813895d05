import { anthropicProtocol } from './anthropic-protocol.js';
import { azureProtocol } from './azure-protocol.js';
import { bedrockProtocol } from './bedrock-protocol.js';
import { cohereProtocol } from './cohere-protocol.js';
import { googleProtocol } from './google-protocol.js';
import { ollamaProtocol } from './ollama-protocol.js';
import { openAiProtocol } from './openai-protocol.js';
import { responsesProtocol } from './responses-protocol.js';
import type { WireProtocol } from './wire-protocol.js';

/**
 * Every protocol the simulator speaks, tried in order for each request: a protocol that
 * shares a path with another (Anthropic's GET /v1/models) tells them apart by a header and
 * comes before the one it shares it with.
 */
export const WIRE_PROTOCOLS: readonly WireProtocol[] = [
  anthropicProtocol,
  azureProtocol,
  bedrockProtocol,
  cohereProtocol,
  googleProtocol,
  ollamaProtocol,
  responsesProtocol,
  openAiProtocol,
];
