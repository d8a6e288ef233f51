// The share link's codec: a round trip gives the coefficients rounded to IEEE half (as io/half rounds them) and
// the settings as given; every malformed or foreign link is refused with a message naming what is wrong.
import { describe, expect, it } from 'vitest';
import { float32ToHalf, halfToFloat32 } from '../../src/engine/io/half';
import { Rng } from '../../src/engine/sd/random';
import { syntheticSpace } from './synthetic';
import { coefForSpace, decodeShareLink, encodeShareLink, fromBase64Url, isShareLink, linkSpace, MAX_LINK_COEFFICIENTS, ShareLinkError, toBase64Url, type SharedIdentity } from '../../src/engine/space/share-link';

const rng = new Rng(7);
const edits = { sliders: { Male: 0.5, Young: -1.25 }, debias: ['Eyeglasses'], switchAt: 700, pcOffsets: [0, 1.5, 0, 0, 0, -0.5] };
const identity = (coef: Float32Array): SharedIdentity => ({ space: '127.0.0.1_8080_test_tiny-sd-a_w2w-space', name: 'sample 12 & co #1', coef, edits });
const halfRounded = (c: Float32Array) => halfToFloat32(float32ToHalf(c));

/** A valid link's fragment with one parameter replaced (or removed, with null). */
function withParam(fragment: string, name: string, value: string | null): string {
  const q = new URLSearchParams(fragment);
  if (value === null) q.delete(name);
  else q.set(name, value);
  return q.toString();
}

describe('share link codec', () => {
  // Proj-like coefficients (tens), then zeros beyond the PCs as a sampled identity has.
  const coef = new Float32Array(1000);
  coef.set(rng.normals(600).map((x) => x * 20));
  const fragment = encodeShareLink(identity(coef));

  it('round trip: coefficients equal to fp16 rounding, trailing zeros restored by padding, settings as given', () => {
    const back = decodeShareLink(`#${fragment}`);
    expect(back.space).toBe('127.0.0.1_8080_test_tiny-sd-a_w2w-space');
    expect(back.name).toBe('sample 12 & co #1');
    expect(back.edits).toEqual(edits);
    // Trailing zeros are not sent: 600 coefficients, 1,200 bytes.
    expect(back.coef.length).toBe(600);
    expect(Array.from(back.coef)).toEqual(Array.from(halfRounded(coef.subarray(0, 600))));
    // fp16 rounding is really applied (the values are not exact in half) and stays within half's relative step.
    expect(Array.from(back.coef)).not.toEqual(Array.from(coef.subarray(0, 600)));
    back.coef.forEach((x, i) => expect(Math.abs(x - coef[i])).toBeLessThanOrEqual(Math.abs(coef[i]) * 2 ** -11));
    // The link is a URL fragment: nothing in it needs escaping beyond what URLSearchParams did.
    expect(fragment).toMatch(/^w2w=1&space=.*&n=600&c=[A-Za-z0-9_-]+$/);
    expect(new URLSearchParams(fragment).get('c')!.length).toBe(1600);
  });

  it('a full 1,000-coefficient identity fits in ≈ 2.7 kB; more is refused', () => {
    const full = Float32Array.from(rng.normals(1000));
    const f = encodeShareLink(identity(full));
    expect(decodeShareLink(f).coef.length).toBe(1000);
    expect(new URLSearchParams(f).get('c')!.length).toBe(2667);
    const big = new Float32Array(1200);
    big[1100] = 1;
    expect(() => encodeShareLink(identity(big))).toThrow(/uses 1101 coefficients \(coefficient 1100 is 1\); a link holds at most 1000: export it as a w2w file instead/);
    // Zeros past 1,000 (a k = 10,000 space's sampled identity) do not count.
    const padded = new Float32Array(10_000);
    padded.set(full);
    expect(decodeShareLink(encodeShareLink(identity(padded))).coef.length).toBe(MAX_LINK_COEFFICIENTS);
  });

  it('refuses coefficients half floats cannot hold', () => {
    expect(() => encodeShareLink(identity(Float32Array.from([1, 70000])))).toThrow(/coefficient 1 is 70000: a link holds half floats \(\|x\| ≤ 65504\)/);
    expect(() => encodeShareLink(identity(Float32Array.from([NaN, 1])))).toThrow(/coefficient 0 is NaN/);
  });

  it('base64url both ways, every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = toBase64Url(bytes);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Array.from(fromBase64Url(text))).toEqual(Array.from(bytes));
    expect(Array.from(fromBase64Url(toBase64Url(bytes.subarray(0, 5))))).toEqual([0, 1, 2, 3, 4]);
  });

  it('tells an identity link from another fragment', () => {
    expect(isShareLink(`#${fragment}`)).toBe(true);
    expect(isShareLink(fragment)).toBe(true);
    expect(isShareLink('#section-2')).toBe(false);
    expect(linkSpace(`#${fragment}`)).toBe('127.0.0.1_8080_test_tiny-sd-a_w2w-space');
    expect(linkSpace('#section-2')).toBeUndefined();
  });

  const cases: [string, string, RegExp][] = [
    ['a foreign fragment', '#section-2', /the link's fragment "#section-2" is not a w2w identity link \(it should start with #w2w=\)/],
    ['another version', withParam(fragment, 'w2w', '2'), /identity link version "2" is not one this app reads \(version 1\)/],
    ['no space', withParam(fragment, 'space', null), /the identity link has no "space"/],
    ['no name', withParam(fragment, 'name', ''), /the identity link has no "name"/],
    ['no coefficients', withParam(fragment, 'c', null), /the identity link has no "c" \(coefficients\): was it cut short when copied\?/],
    ['cut short in the coefficients', fragment.slice(0, -40), /coefficients hold 1170 bytes, 600 coefficients need 1200: was it cut short when copied\?/],
    ['a bad count', withParam(fragment, 'n', '1001'), /coefficient count "1001" is not a whole number from 1 to 1000/],
    ['a non-numeric count', withParam(fragment, 'n', '6e2'), /coefficient count "6e2" is not a whole number/],
    ['not base64url', withParam(fragment, 'c', 'AAAA+/=='), /coefficients are not base64url \(letters, digits, - and _\): "AAAA\+\/=="/],
    ['an impossible base64 length', withParam(fragment, 'n', '1').replace(/c=[^&]*$/, 'c=AAAAA'), /coefficients are not base64url/],
    ['an infinite coefficient', withParam(withParam(fragment, 'n', '1'), 'c', toBase64Url(Uint8Array.from([0x00, 0x7c]))), /coefficient 0 is Infinity/],
    ['edits not JSON', withParam(fragment, 'edits', '{sliders'), /edit settings are not JSON: "\{sliders"/],
    ['a slider not a number', withParam(fragment, 'edits', JSON.stringify({ ...edits, sliders: { Male: 'x' } })), /"sliders" must map attributes to numbers/],
    ['debias not a list', withParam(fragment, 'edits', JSON.stringify({ ...edits, debias: 'Young' })), /"debias" must be a list of attributes/],
    ['switchAt out of range', withParam(fragment, 'edits', JSON.stringify({ ...edits, switchAt: 1200 })), /"switchAt" must be a timestep from 0 to 1000/],
    ['PC offsets not numbers', withParam(fragment, 'edits', JSON.stringify({ ...edits, pcOffsets: [1, null] })), /"pcOffsets" must be a list of numbers/],
  ];
  for (const [what, link, message] of cases)
    it(`refuses ${what}`, () => {
      let error: unknown;
      try {
        decodeShareLink(link);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ShareLinkError);
      expect((error as Error).message).toMatch(message);
    });

  it('fits a link to a space: padded to its k; more coefficients or unknown attributes refused', () => {
    const space = syntheticSpace({ k: 12, pcs: 8 });
    const link = decodeShareLink(encodeShareLink({ ...identity(Float32Array.from([1.5, -2, 0.25])), edits: { ...edits, sliders: { Male: 0.5 }, debias: ['Young'] } }));
    expect(Array.from(coefForSpace(link, space))).toEqual([1.5, -2, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => coefForSpace({ ...link, coef: new Float32Array(13) }, space)).toThrow(/holds 13 coefficients, this space keeps 12: import the space with k ≥ 13/);
    expect(() => coefForSpace({ ...link, edits: { ...link.edits, sliders: { Bald: 1, Male: 1 }, debias: ['Bald', 'Smiling'] } }, space)).toThrow(
      /edits attributes this space does not label: Bald, Smiling/,
    );
  });
});
