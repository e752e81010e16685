/** Command output may hold terminal escapes; a report must not move the user's cursor. */
// eslint-disable-next-line no-control-regex
export const clean = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
