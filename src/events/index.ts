export { ACTIVITY_TYPES } from './types.js';
export type { AccountActivityEvent, ActivityEventOf, ActivityType, UnknownEvent } from './types.js';
export { parseActivity } from './parse.js';
