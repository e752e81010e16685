/** `lab verify --impact`: which of the lab's checks each link or node failure breaks, and how fast it detects and recovers. */
export { impactElements, pickElements, type ImpactElement } from './elements.js';
export { faultRequests, runImpact, type FaultControl, type ImpactOptions, type ImpactReport, type ImpactRow } from './run.js';
export { IMPACT_FORMATS, worstRows, writeImpact, type ImpactFormat } from './report.js';
export { impactOverlay, linkSeverity, severityOf, SEVERITY_COLOURS, writeImpactHtml, writeImpactJunit, type ImpactOverlay, type Severity } from './report-ci.js';
