// Identity state (zustand): the space, the current identity, its edits, the library.
import { create } from 'zustand';
import type { IdentityRecord, IdentitySettings } from '../engine/space/library';
import type { Neighbor } from '../engine/space/space';
import type { IdentityDirections } from '../../workers/protocol';
import type { SpaceSummary } from '../../workers/protocol';

export interface Identity {
  name: string;
  coef: Float32Array;
  /** How it was made (saved with it as the library record's settings). */
  origin: IdentitySettings;
  libraryId?: string;
}

export interface Compare {
  before: string;
  after: string;
}

export interface IdentityState {
  space?: SpaceSummary;
  spacePhase: 'none' | 'importing' | 'ready' | 'error';
  spaceProgress?: { file: string; done: number; total: number };
  spaceError?: string;
  identity?: Identity;
  /** Import options: components kept (blank = the loader's default, min(1000, V.pt's columns)), fp16 storage. */
  spaceK?: number;
  spaceFp16: boolean;
  diversity: number;
  /** Calibrated slider value per attribute (0 = unedited). */
  sliders: Record<string, number>;
  /** Attributes every edit direction is debiased against (A~B~C chains). */
  debias: string[];
  /** Delayed injection: edits apply once t ≤ switchAt. */
  switchAt: number;
  /** Offsets of the top principal components, in units of their spread over the training models. */
  pcOffsets: number[];
  pcStats?: { mean: Float32Array; std: Float32Array };
  /** α and slider unit of each active edit, as the space computed them. */
  alphas: { direction: string; alpha: number; unit: number }[];
  /** Label-free directions found at the identity, and the slider value along each. */
  free?: IdentityDirections;
  freeOffsets: number[];
  freeStatus?: string;
  compare?: Compare;
  /** The identity score before and after the edits `sliders` (CompareView), or its progress. */
  editScore?: { busy: boolean; text: string; sliders: Record<string, number> };
  /** Training identities closest to the current one (cosine over the PCs of proj), once computed. */
  nearest?: Neighbor[];
  /** What the last identity import reported (its residual), or why it failed. */
  importNote?: { file: string; text: string; error?: boolean };
  /** A share link's fragment waiting for its space to be loaded (opened from the URL). */
  pendingLink?: string;
  /** What opening a share link did, or why it could not. */
  linkNote?: { text: string; error?: boolean };
  /** Bytes the stored spaces take in this browser (the store's estimate). */
  spaceStorage?: { bytes: number };
  library: IdentityRecord[];
  libraryError?: string;
  /** The last identity deleted from the library, for Undo. */
  deleted?: IdentityRecord;
}

export const TOP_PCS = 6;

export const useIdentity = create<IdentityState>(() => ({
  spacePhase: 'none',
  spaceFp16: false,
  diversity: 1,
  sliders: {},
  debias: [],
  switchAt: 800,
  pcOffsets: new Array(TOP_PCS).fill(0),
  alphas: [],
  freeOffsets: [],
  library: [],
}));

export const setIdentity = useIdentity.setState;
export const getIdentity = useIdentity.getState;
