// Inversion state (zustand): the photo, crop and mask being prepared, settings, and the running job.
import { create } from 'zustand';
import type { CropSquare } from '../engine/invert/photo';
import type { PresetName } from '../engine/invert/settings';

export interface InvertSettingsForm {
  preset: PresetName;
  /** Blank = the preset's value. */
  steps?: number;
  components?: number;
  lr?: number;
  seed: number;
  previewEvery: number;
  previewSteps: number;
}

export interface InvertState {
  photo?: { file: File; url: string; width: number; height: number };
  /** Undefined = centered (the reference's crop). */
  crop?: CropSquare;
  /** The painted mask as PNG, or null for the whole image. */
  mask: Blob | null;
  form: InvertSettingsForm;
  running: boolean;
  step: number;
  total: number;
  etaMs: number;
  losses: number[];
  preview?: string;
  modelView?: { photo: string; mask: string };
  notes: string[];
  error?: string;
  /** An interrupted run stored in IndexedDB. */
  saved?: { step: number; total: number; photo: string };
  result?: string;
}

export const useInvert = create<InvertState>(() => ({
  mask: null,
  form: { preset: 'photo', seed: 0, previewEvery: 50, previewSteps: 20 },
  running: false,
  step: 0,
  total: 0,
  etaMs: 0,
  losses: [],
  notes: [],
}));

export const setInvert = useInvert.setState;
export const getInvert = useInvert.getState;
