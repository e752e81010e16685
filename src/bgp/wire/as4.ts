import { AS_TRANS } from './constants.js';
import { SEG, type AsPathSegment, type PathAttributes } from './attrs/types.js';

/** Number of ASes for the RFC 6793 §4.2.3 comparison: AS_SET counts 1, confederation segments 0. */
function as4Count(segs: AsPathSegment[]): number {
  let n = 0;
  for (const s of segs) n += s.type === SEG.AS_SEQUENCE ? s.asns.length : s.type === SEG.AS_SET ? 1 : 0;
  return n;
}

/** Keeps the first `n` countable ASes of a path (confederation segments kept, AS_SET counts 1). */
function leading(segs: AsPathSegment[], n: number): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (const s of segs) {
    if (n <= 0 && s.type !== SEG.AS_CONFED_SEQUENCE && s.type !== SEG.AS_CONFED_SET) break;
    if (s.type === SEG.AS_SEQUENCE) {
      const take = s.asns.slice(0, n);
      if (take.length > 0) out.push({ type: s.type, asns: take });
      n -= take.length;
    } else if (s.type === SEG.AS_SET) {
      out.push({ type: s.type, asns: [...s.asns] });
      n -= 1;
    } else out.push({ type: s.type, asns: [...s.asns] });
  }
  return out;
}

function joinSequences(segs: AsPathSegment[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (const s of segs) {
    const prev = out[out.length - 1];
    if (prev && prev.type === SEG.AS_SEQUENCE && s.type === SEG.AS_SEQUENCE) prev.asns.push(...s.asns);
    else out.push(s);
  }
  return out;
}

/**
 * RFC 6793 §4.2.3: the 4-octet view of attributes received from a 2-octet-only ("OLD") speaker.
 * From a 4-octet speaker AS4_PATH/AS4_AGGREGATOR are ignored. Returns a new object; `a` is not modified.
 */
export function mergeAs4(a: PathAttributes, peerFourOctet: boolean): PathAttributes {
  const { as4Path, as4Aggregator, ...rest } = a;
  if (peerFourOctet) return rest;
  const out: PathAttributes = rest;
  if (a.aggregator && a.aggregator.asn !== AS_TRANS && as4Aggregator) {
    return out; // AGGREGATOR from a NEW speaker's AS: AS4_PATH and AS4_AGGREGATOR are both ignored.
  }
  if (as4Aggregator && a.aggregator) out.aggregator = { ...as4Aggregator };
  if (as4Path && a.asPath) {
    const n = as4Count(a.asPath);
    const m = as4Count(as4Path);
    if (n >= m) out.asPath = joinSequences([...leading(a.asPath, n - m), ...as4Path.map((s) => ({ type: s.type, asns: [...s.asns] }))]);
  }
  return out;
}

/** RFC 6793 §4.2.2: attributes for a 2-octet-only peer: AS_TRANS in AS_PATH/AGGREGATOR plus AS4_PATH/AS4_AGGREGATOR. */
export function splitAs4(a: PathAttributes): PathAttributes {
  const { as4Path: _p, as4Aggregator: _g, ...rest } = a;
  const out: PathAttributes = rest;
  const big = (n: number) => n > 0xffff;
  if (a.asPath && a.asPath.some((s) => s.asns.some(big))) {
    out.asPath = a.asPath.map((s) => ({ type: s.type, asns: s.asns.map((x) => (big(x) ? AS_TRANS : x)) }));
    out.as4Path = a.asPath.filter((s) => s.type === SEG.AS_SEQUENCE || s.type === SEG.AS_SET).map((s) => ({ type: s.type, asns: [...s.asns] }));
  }
  if (a.aggregator && big(a.aggregator.asn)) {
    out.aggregator = { asn: AS_TRANS, address: a.aggregator.address };
    out.as4Aggregator = { ...a.aggregator };
  }
  return out;
}
