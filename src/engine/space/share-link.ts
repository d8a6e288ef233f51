// An identity as a URL fragment: its coefficients as IEEE half floats in base64url (1,000 coefficients = 2,000
// bytes = 2,667 characters), the id of the space they belong to, its name and the edit settings on it.
//   #w2w=1&space=<space id>&name=<name>&edits=<JSON>&n=<count>&c=<base64url of n little-endian halves>
// `c` comes last and `n` says how many coefficients it holds, so a link cut short when copied is caught rather
// than read as fewer coefficients. Trailing zero coefficients are left out (the receiver pads to its k).
import { f16ToF32, f32ToF16 } from '../graph/dtype';
import { padTo } from './math';
import type { Space } from './space';

export const LINK_VERSION = 1;
/** Coefficients a link may hold (the k ≤ 1,000: a URL of ≈ 2.7 kB). */
export const MAX_LINK_COEFFICIENTS = 1000;
const HALF_MAX = 65504;

/** The edit settings that turned the coefficients into the identity on screen (as the page holds them). */
export interface SharedEdits {
  /** Calibrated attribute sliders (non-zero ones). */
  readonly sliders: Readonly<Record<string, number>>;
  readonly debias: readonly string[];
  /** Delayed injection: edits apply once t ≤ switchAt. */
  readonly switchAt: number;
  /** Top-PC offsets (σ of the training models). */
  readonly pcOffsets: readonly number[];
}

export interface SharedIdentity {
  /** The space's store id (the app's SpaceSummary.id). */
  readonly space: string;
  readonly name: string;
  readonly coef: Float32Array;
  readonly edits: SharedEdits;
}

/** A link that cannot be read; the message says what is wrong with it. */
export class ShareLinkError extends Error {
  override name = 'ShareLinkError';
}

/** Whether a fragment (with or without '#') is meant as an identity link (it may still be malformed). */
export const isShareLink = (fragment: string): boolean => /^#?w2w=/.test(fragment);

/** The space id a fragment's link names, if it is an identity link that names one (nothing else is checked). */
export const linkSpace = (fragment: string): string | undefined =>
  isShareLink(fragment) ? (new URLSearchParams(fragment.replace(/^#/, '')).get('space') ?? undefined) : undefined;

/** The fragment (without '#') for an identity; coefficients must fit half floats and the first 1,000 entries. */
export function encodeShareLink(s: SharedIdentity): string {
  let n = s.coef.length;
  while (n > 1 && s.coef[n - 1] === 0) n--;
  if (n > MAX_LINK_COEFFICIENTS)
    throw new ShareLinkError(`this identity uses ${n} coefficients (coefficient ${n - 1} is ${s.coef[n - 1]}); a link holds at most ${MAX_LINK_COEFFICIENTS}: export it as a w2w file instead`);
  const bytes = new Uint8Array(2 * n);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const x = s.coef[i];
    if (!Number.isFinite(x) || Math.abs(x) > HALF_MAX) throw new ShareLinkError(`coefficient ${i} is ${x}: a link holds half floats (|x| ≤ ${HALF_MAX})`);
    view.setUint16(2 * i, f32ToF16(x), true);
  }
  const q = new URLSearchParams({ w2w: String(LINK_VERSION), space: s.space, name: s.name, edits: JSON.stringify(s.edits), n: String(n), c: toBase64Url(bytes) });
  return q.toString();
}

/** The identity in a fragment (with or without '#'); a ShareLinkError names what is missing or malformed. */
export function decodeShareLink(fragment: string): SharedIdentity {
  const text = fragment.replace(/^#/, '');
  if (!isShareLink(text)) throw new ShareLinkError(`the link's fragment "#${clip(text)}" is not a w2w identity link (it should start with #w2w=)`);
  const q = new URLSearchParams(text);
  const version = q.get('w2w');
  if (version !== String(LINK_VERSION)) throw new ShareLinkError(`identity link version "${clip(version ?? '')}" is not one this app reads (version ${LINK_VERSION})`);
  const field = (name: string) => {
    const v = q.get(name);
    if (v === null || v === '') throw new ShareLinkError(`the identity link has no "${name}"${name === 'c' ? ' (coefficients): was it cut short when copied?' : ''}`);
    return v;
  };
  const space = field('space');
  const name = field('name');
  const count = field('n');
  const n = Number(count);
  if (!/^\d+$/.test(count) || n < 1 || n > MAX_LINK_COEFFICIENTS) throw new ShareLinkError(`the identity link's coefficient count "${clip(count)}" is not a whole number from 1 to ${MAX_LINK_COEFFICIENTS}`);
  const edits = parseEdits(field('edits'));
  const bytes = fromBase64Url(field('c'));
  if (bytes.length !== 2 * n)
    throw new ShareLinkError(`the identity link's coefficients hold ${bytes.length} bytes, ${n} coefficients need ${2 * n}: was it cut short when copied?`);
  const view = new DataView(bytes.buffer);
  const coef = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    coef[i] = f16ToF32(view.getUint16(2 * i, true));
    if (!Number.isFinite(coef[i])) throw new ShareLinkError(`the identity link's coefficient ${i} is ${coef[i]}`);
  }
  return { space, name, coef, edits };
}

/**
 * The link's coefficients as `space`'s k (zero-padded), once its attributes are checked against the space's
 * labels; a ShareLinkError says why they do not fit. (The space id is the caller's to compare.)
 */
export function coefForSpace(link: SharedIdentity, space: Space): Float32Array {
  if (link.coef.length > space.k)
    throw new ShareLinkError(`the identity link holds ${link.coef.length} coefficients, this space keeps ${space.k}: import the space with k ≥ ${link.coef.length}`);
  const known = new Set(space.labelColumns);
  const unknown = [...Object.keys(link.edits.sliders), ...link.edits.debias].filter((a) => !known.has(a));
  if (unknown.length) throw new ShareLinkError(`the identity link edits attributes this space does not label: ${[...new Set(unknown)].join(', ')}`);
  return padTo(link.coef, space.k);
}

function parseEdits(json: string): SharedEdits {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new ShareLinkError(`the identity link's edit settings are not JSON: "${clip(json)}"`);
  }
  const bad = (what: string) => new ShareLinkError(`the identity link's edit settings: ${what}`);
  if (!isObject(v)) throw bad('not an object');
  const { sliders, debias, switchAt, pcOffsets } = v;
  if (!isObject(sliders) || Object.values(sliders).some((x) => !isFiniteNumber(x))) throw bad('"sliders" must map attributes to numbers');
  if (!Array.isArray(debias) || debias.some((x) => typeof x !== 'string')) throw bad('"debias" must be a list of attributes');
  if (!isFiniteNumber(switchAt) || switchAt < 0 || switchAt > 1000) throw bad('"switchAt" must be a timestep from 0 to 1000');
  if (!Array.isArray(pcOffsets) || pcOffsets.some((x) => !isFiniteNumber(x))) throw bad('"pcOffsets" must be a list of numbers');
  return { sliders: sliders as Record<string, number>, debias: debias as string[], switchAt, pcOffsets: pcOffsets as number[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

export function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1)
    throw new ShareLinkError(`the identity link's coefficients are not base64url (letters, digits, - and _): "${clip(text)}"`);
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}
