/**
 * How this `lab` process loads topologies: the global `--vars FILE` (containerlab's Go-template
 * variables) applies to every command, so deploy, inspect, verify and destroy plan the same lab.
 */
import type { LoadOptions } from '../topology/index.js';

let templateVars: readonly string[] = [];

export function setTemplateVars(files: readonly string[] | undefined): void {
  templateVars = files ?? [];
}

export function labLoadOptions(): LoadOptions {
  return templateVars.length ? { templateVars } : {};
}
