// zod itself, re-exported so every package builds its schemas with the same zod instance.
export * as z from 'zod';
export type { IssuePath } from './describe-value.js';
export { describeValue, formatPath, isSecretLikePath } from './describe-value.js';
export { closestMatch, editDistance } from './did-you-mean.js';
export {
  durationSeconds,
  envVarName,
  expectationMessage,
  expecting,
  flag,
  httpUrl,
  listOf,
  mapOf,
  nonNegativeInt,
  nonNegativeNumber,
  nullAsAbsent,
  numberBetween,
  oneOf,
  parseDurationMs,
  positiveInt,
  positiveNumber,
  strictObject,
  text,
  unknownKeyMessage,
} from './fields.js';
export type { Setting } from './settings.js';
export { flagOfPath, sectionFromFlags, settingsByFlag, settingsSchema } from './settings.js';
