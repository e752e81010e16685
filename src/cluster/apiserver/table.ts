import type { K8sObject } from '../store/types.js';
import { columnsFor } from './printers.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** True when the client asked for server-side printing (`kubectl get`). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** meta.k8s.io/v1 Table for `objs`; `noHeaders` omits column definitions (later watch events). */
export function toTable(kind: string, objs: K8sObject[], rv: string, include: IncludeObject = 'Metadata', noHeaders = false): Record<string, unknown> {
  const cols = columnsFor(kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: rv },
    columnDefinitions: noHeaders
      ? null
      : cols.map((c) => ({ name: c.name, type: c.type, format: c.name === 'Name' ? 'name' : '', description: '', priority: c.priority ?? 0 })),
    rows: objs.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      ...(include === 'None'
        ? {}
        : { object: include === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } }),
    })),
  };
}
