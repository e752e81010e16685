/** Generic rules shared by every module, each with one owner here. No imports from other modules; pure except json-file.ts (state files). */
export { mapPool, runPool, Semaphore } from './pool.js';
export { ipv4ToNumber, numberToIpv4, parseIpv4 } from './ipv4.js';
export { parseDurationMs } from './duration.js';
export { shellQuote, shellQuoteArg } from './shell.js';
export { bigToIp6, formatIpv6Groups, ip6ToBig } from './ipv6.js';
export { matchesSelector, type LabelSelector } from './label-selector.js';
export { FakeClock, realClock, type Clock } from './clock.js';
export { readJsonFile, writeJsonAtomic } from './json-file.js';
