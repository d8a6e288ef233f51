// Pullback directions from the page: discovery and edit images run in the engine worker; slider moves
// are debounced and rendered one at a time (the latest value wins).
import type { Generation } from '../../../workers/protocol';
import { getDirections, setDirections, type SliderSet } from '../directions-store';
import { errorMessage } from '../errors';
import { getIdentity } from '../identity-store';
import { getApp, type GalleryItem } from '../store';
import { engineWorker } from '../workers';
import { baseCoef, setIdentityCoef } from './space';

const generation = (g: GalleryItem): Generation => ({
  ...g.settings, lora: g.loras?.lora ?? null, lora2: g.loras?.lora2 ?? null, switchAt: g.loras?.switchAt ?? 1000,
});

const sliders = (n: number): SliderSet => ({ sliders: new Array(n).fill(0), previews: new Array(n).fill(undefined) });

export async function discoverImageDirections(): Promise<void> {
  const { gallery } = getApp();
  const { itemId, n, fraction } = getDirections();
  const item = gallery.find((g) => g.id === itemId) ?? gallery[0];
  if (!item) return;
  setDirections({ imagePhase: 'discovering', imageError: undefined });
  try {
    const r = await engineWorker().discoverImageDirections(generation(item), { n, fractions: [fraction], seed: item.settings.seed });
    dropPreviews(getDirections().image);
    setDirections({ imagePhase: 'idle', image: { ...r, ...sliders(r.values.length), itemId: item.id, caption: item.identity } });
  } catch (e) {
    setDirections({ imagePhase: 'error', imageError: errorMessage(e) });
  }
}

export async function discoverIdentityDirections(): Promise<void> {
  const { identity } = getIdentity();
  const coef = await baseCoef();
  if (!identity || !coef) return;
  const { n, prompts, fractions } = getDirections();
  setDirections({ identityPhase: 'discovering', identityError: undefined });
  try {
    const fr = fractions.split(/[\s,]+/).filter(Boolean).map(Number);
    const ps = prompts.split('\n').map((p) => p.trim()).filter(Boolean);
    const r = await engineWorker().discoverIdentityDirections(coef, { ...getApp().gen, lora: null, lora2: null }, ps, { n, fractions: fr });
    dropPreviews(getDirections().identity);
    setDirections({ identityPhase: 'idle', identity: { ...r, ...sliders(r.values.length), name: identity.name, at: coef, coefs: new Array(r.values.length).fill(undefined) } });
  } catch (e) {
    setDirections({ identityPhase: 'error', identityError: errorMessage(e) });
  }
}

function dropPreviews(set?: SliderSet): void {
  set?.previews.forEach((p) => p && URL.revokeObjectURL(p.url));
}

// One render at a time; a slider moved meanwhile is rendered next at its latest value.
let timer: ReturnType<typeof setTimeout> | undefined;
let queue: (() => Promise<void>)[] = [];
let busy = false;

async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  setDirections({ rendering: true });
  while (queue.length) await queue.shift()!().catch((e) => setDirections({ imageError: errorMessage(e) }));
  busy = false;
  setDirections({ rendering: false });
}

function schedule(job: () => Promise<void>): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    queue = [job];
    void drain();
  }, 250);
}

const withPreview = <T extends SliderSet>(set: T, i: number, png: Blob, at: number): T => {
  const previews = set.previews.slice();
  if (previews[i]) URL.revokeObjectURL(previews[i]!.url);
  previews[i] = { url: URL.createObjectURL(png), at };
  return { ...set, previews };
};

export function setImageSlider(i: number, s: number): void {
  const image = getDirections().image;
  if (!image) return;
  setDirections({ image: { ...image, sliders: image.sliders.map((v, j) => (j === i ? s : v)) } });
  schedule(async () => {
    const png = await engineWorker().imageEdit(i, s);
    const cur = getDirections().image;
    if (cur) setDirections({ image: withPreview(cur, i, png, s) });
  });
}

export function setIdentitySlider(i: number, s: number): void {
  const set = getDirections().identity;
  if (!set) return;
  setDirections({ identity: { ...set, sliders: set.sliders.map((v, j) => (j === i ? s : v)) } });
  schedule(async () => {
    const { coef, png } = await engineWorker().identityEdit(set.at, { vector: set.vectors[i], unit: set.unit, s }, { ...getApp().gen, lora: null, lora2: null });
    const cur = getDirections().identity;
    if (cur) setDirections({ identity: { ...withPreview(cur, i, png, s), coefs: cur.coefs.map((c, j) => (j === i ? coef : c)) } });
  });
}

/** Makes the edited identity of direction i the current one (to generate, save or export). */
export function applyEditedIdentity(i: number): void {
  const set = getDirections().identity;
  const coef = set?.coefs[i];
  if (!set || !coef) return;
  const at = set.previews[i]?.at ?? 0;
  setIdentityCoef({ name: `${set.name} (direction ${i + 1} ${at > 0 ? '+' : ''}${at})`, coef, origin: { pullback: { direction: i, at, from: set.name } } });
}
