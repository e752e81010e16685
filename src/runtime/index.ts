/** The runtime module's public surface. */
export { DockerRuntime } from './docker.js';
export type { Runtime, ContainerAction, ContainerInfo, NetworkInfo, ExecResult, ExecOptions } from './docker.js';
export { deploy, defaultRenderer } from './deploy.js';
export type { DeployOptions, DeployResult, RendererName } from './deploy.js';
export { destroyLab, destroyLabLocked, listLabNames, isEmptyResult } from './destroy.js';
export type { DestroyOptions, DestroyResult } from './destroy.js';
export { inspectLab, formatTable, imageColumn } from './inspect.js';
export type { InspectNode, InspectResult } from './inspect.js';
export { readLabState, renderedFilePath } from './labdir.js';
export type { LabState } from './labdir.js';
export { LABEL_LAB, LABEL_NODE, LABEL_KIND, LABEL_LABDIR, LABEL_TOPO } from './labels.js';
export { splitCommand } from './argv.js';
export { getPod, labClient } from './cluster-api.js';
export { BASE_IMAGE, DEFAULT_ALIASES, substitutionLine } from './images.js';
export type { ImageResolution, ImageSubstitute } from './images.js';
export { agentEnabled, hostPaths } from './cluster-plan.js';
export { assertLabOwner } from './lab-owner.js';
export { withLabLock } from './lab-registry.js';
