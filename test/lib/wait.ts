/** Polling helper shared by the interop and e2e tests. */

/**
 * Polls `fn` every `everyMs` until it returns a truthy value, which it returns. Errors `fn`
 * throws count as "not yet"; after `timeoutMs` it throws `timed out waiting for <what>`,
 * followed by the last such error's message.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
