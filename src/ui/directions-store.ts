// Directions panel state (zustand): image directions of a gallery image, identity directions of the
// current identity, their slider values and the images rendered for them.
import { create } from 'zustand';
import { EDIT_FRACTION, IDENTITY_FRACTIONS } from '../engine/pullback/fractions';
import type { IdentityDirections, LatentDirectionsResult } from '../../workers/protocol';

export interface SliderSet {
  /** Slider value per direction (the results' `values` are the singular values). */
  sliders: number[];
  /** Latest image per direction (object URLs), with the slider value it was made at. */
  previews: ({ url: string; at: number } | undefined)[];
}

export interface DirectionsState {
  n: number;
  /** Where x_t is taken, as a fraction of T (Park et al.: 0.6–0.7). */
  fraction: number;
  /** Gallery item whose trajectory is used. */
  itemId?: string;
  imagePhase: 'idle' | 'discovering' | 'error';
  imageError?: string;
  image?: LatentDirectionsResult & SliderSet & { itemId: string; caption: string };
  /** Identity directions: prompts (one per line) and fractions of T, JᵀJ summed over all of them. */
  prompts: string;
  fractions: string;
  identityPhase: 'idle' | 'discovering' | 'error';
  identityError?: string;
  /** `at`: the coefficients they were discovered at (the sliders move from there); `coefs`: each slider's result. */
  identity?: IdentityDirections & SliderSet & { name: string; at: Float32Array; coefs: (Float32Array | undefined)[] };
  /** An edit image is being rendered. */
  rendering: boolean;
}

export const useDirections = create<DirectionsState>(() => ({
  n: 4,
  fraction: EDIT_FRACTION,
  imagePhase: 'idle',
  prompts: 'sks person',
  fractions: IDENTITY_FRACTIONS.join(', '),
  identityPhase: 'idle',
  rendering: false,
}));

export const setDirections = useDirections.setState;
export const getDirections = useDirections.getState;
