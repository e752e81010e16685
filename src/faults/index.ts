/** The faults module: `lab fault` (break links and nodes on demand, record it, undo it) and `lab capture`. */
export { CAPTURE_USAGE, FAULT_USAGE, parseCaptureRequest, parseEndpoint, parseFaultRequest, parsePercent } from './parse.js';
export type { CaptureRequest, FaultOptions } from './parse.js';
export { FAULTS_FILE, agentScript, parseAgentRestart, describeFault, endpointText, isEvent, planFault, tcpdumpArgv } from './plan.js';
export { FaultRunner, loadLabView, readFaultFile } from './run.js';
export type { AgentAction, Endpoint, Fault, FaultEntry, FaultFile, FaultRequest, LabView, NodeAction, Step } from './types.js';
