// The programmatic entry point: run Tessera in-process (tests, embedding) or open its store.
export { Tessera } from './tessera.js';
export type { Bootstrap } from './tessera.js';
export { startServer } from './server/start.js';
export type { RunningServer, StartOptions } from './server/start.js';
export { TesseraError } from './errors.js';
