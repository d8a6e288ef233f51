// The training identities browser's state (zustand): the label filter, the order, the page shown.
import { create } from 'zustand';
import type { SearchPage } from '../engine/space/training-search';

/** A row's thumbnail: its object URL, 'rendering' (queued or running), or why it failed. */
export type Thumb = string | { error: string };

export interface TrainingState {
  /** Label → present (true) or absent (false); every term must hold. */
  where: Record<string, boolean>;
  /** Most similar to the current identity first (else in the space's row order). */
  bySimilarity: boolean;
  offset: number;
  page?: SearchPage;
  error?: string;
  /** Thumbnails by row (rendered on demand), and the space they belong to. */
  thumbs: Record<number, Thumb | undefined>;
  thumbsSpace?: string;
}

export const TRAINING_PAGE = 20;

export const useTraining = create<TrainingState>(() => ({ where: {}, bySimilarity: true, offset: 0, thumbs: {} }));
export const setTraining = useTraining.setState;
export const getTraining = useTraining.getState;
