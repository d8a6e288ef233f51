// Invert panel state (zustand): the photo, its crop and mask, the settings, and the run's progress.
import { create } from 'zustand';
import type { CropSquare, InversionSettings, PresetName } from '../engine/invert/index';
import type { BestStep } from '../engine/face/identity-score';
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
  /** Score each preview against the photo's face and keep the best step. */
  scorePreviews: boolean;
  phase: InvertPhase;
  step: number;
  total: number;
  etaMs?: number;
  msPerStep?: number;
  losses: number[];
  /** `score`: the preview's similarity to the photo (when previews are scored). */
  preview?: { step: number; url: string; score?: number };
  /** The best-scoring preview of the last run when it is not the run's last step (offered as "Restore best"). */
  best?: BestStep & { photoName: string };
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
  scorePreviews: false,
  phase: 'idle',
  step: 0,
  total: 0,
  losses: [],
  notes: [],
}));

export const setInvert = useInvert.setState;
export const getInvert = useInvert.getState;
