// Invert panel state (zustand): the photo, its crop and mask, the settings, and the run's progress.
import { create } from 'zustand';
import type { CropSquare, InversionSettings, PresetName } from '../engine/invert/index';
import type { PendingInversion } from '../../workers/protocol';
import type { PhotoView } from '../../workers/protocol';

export type BrushMode = 'crop' | 'brush' | 'eraser';
export type InvertPhase = 'idle' | 'running' | 'cancelling' | 'saving' | 'error';

/** The numbers a user may set; undefined = the preset's value. */
export type Overrides = Partial<Pick<InversionSettings, 'steps' | 'lr' | 'weightDecay' | 'beta1' | 'beta2' | 'eps' | 'components' | 'seed'>>;

export interface InvertState {
  /** The dropped file too: a fresh engine worker (after a lost GPU device) is handed it again. */
  photo?: PhotoView & { url: string; file: File };
  /** The square in view pixels; undefined = the reference's center crop. */
  crop?: CropSquare;
  mode: BrushMode;
  /** Brush radius in view pixels. */
  brush: number;
  /** Whether anything is painted (an unpainted mask means "all ones"). */
  masked: boolean;
  preset: PresetName;
  overrides: Overrides;
  /** Model input side (default the model's). */
  size?: number;
  checkpointEvery: number;
  previewEvery: number;
  previewSteps: number;
  phase: InvertPhase;
  step: number;
  total: number;
  etaMs?: number;
  msPerStep?: number;
  losses: number[];
  preview?: { step: number; url: string };
  notes: string[];
  error?: string;
  /** A run stored in IndexedDB that did not finish (offered as "Resume"). */
  pending?: PendingInversion;
  /** Name of the library entry the last run produced. */
  saved?: string;
  /** The identity score line of that entry (or its progress or why there is none). */
  score?: string;
}

export const useInvert = create<InvertState>(() => ({
  mode: 'crop',
  brush: 24,
  masked: false,
  preset: 'photo',
  overrides: {},
  checkpointEvery: 10,
  previewEvery: 25,
  previewSteps: 10,
  phase: 'idle',
  step: 0,
  total: 0,
  losses: [],
  notes: [],
}));

export const setInvert = useInvert.setState;
export const getInvert = useInvert.getState;
