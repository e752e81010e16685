/**
 * Router config templates (templates/render/*.eta) rendered with Eta: a maintained, typed,
 * dependency-free engine whose templates are plain text with JS expressions, so a config
 * template reads like the config it produces.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

// src/render → ../../templates/render; dist/render resolves the same way.
const DIR = fileURLToPath(new URL('../../templates/render/', import.meta.url));

const eta = new Eta({ views: DIR, autoEscape: false, autoTrim: false, cache: true });

export function renderTemplate(name: 'frr.conf' | 'bird.conf' | 'gobgpd.toml', view: object): string {
  // Collapse the blank lines left by control-only template lines.
  return eta.render(`./${name}.eta`, view).replace(/\n{3,}/g, '\n\n');
}
