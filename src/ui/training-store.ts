// The training identities browser's state (zustand): the label filter, the order, the page shown.
import { create } from 'zustand';
import type { SearchPage } from '../engine/space/training-search';

export interface TrainingState {
  /** Label → present (true) or absent (false); every term must hold. */
  where: Record<string, boolean>;
  /** Most similar to the current identity first (else in the space's row order). */
  bySimilarity: boolean;
  offset: number;
  page?: SearchPage;
  error?: string;
}

export const TRAINING_PAGE = 20;

export const useTraining = create<TrainingState>(() => ({ where: {}, bySimilarity: true, offset: 0 }));
export const setTraining = useTraining.setState;
export const getTraining = useTraining.getState;
