/** Generic rules shared by every module, each with one owner here. Pure, no imports from other modules. */
export { mapPool, runPool } from './pool.js';
