import { readFileSync } from 'node:fs';
import { parseTopology } from '../src/topology/index.js';
import { TopologyError, formatIssue } from '../src/errors.js';
const t = process.argv[2]!;
try { const r = parseTopology(readFileSync(t,'utf8'), { file: t, env: {} }); console.log(JSON.stringify(r.links.map(({pos, ...l}) => l))); }
catch (e) { if (e instanceof TopologyError) console.log(e.issues.map(formatIssue).join('\n')); else throw e; }
