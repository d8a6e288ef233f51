// The training identities browser: queries go to the space worker (filter, cosine order, page); "Use" makes a
// row the current identity (its coefficients padded to k by the space).
import { errorMessage } from '../errors';
import { getIdentity } from '../identity-store';
import { getTraining, setTraining, TRAINING_PAGE } from '../training-store';
import { spaceWorker } from '../workers';
import { editedIdentity, setIdentityCoef } from './space';

let latest = 0;

/** The current page again (after a filter, order, page or identity change); a newer query's answer wins. */
export async function searchTraining(): Promise<void> {
  const ticket = ++latest;
  const { where, bySimilarity, offset } = getTraining();
  try {
    // Similar to the identity as it is exported (offsets and edits applied): what is on screen.
    const similarTo = bySimilarity && getIdentity().identity ? (await editedIdentity())?.coef : undefined;
    const page = await spaceWorker().searchTraining({ where, similarTo, offset, count: TRAINING_PAGE });
    if (ticket === latest) setTraining({ page, error: undefined });
  } catch (e) {
    if (ticket === latest) setTraining({ error: errorMessage(e) });
  }
}

/** Adds, flips or (present undefined) removes a label term; back to the first page. */
export function setLabelTerm(label: string, present: boolean | undefined): void {
  const where = { ...getTraining().where };
  if (present === undefined) delete where[label];
  else where[label] = present;
  setTraining({ where, offset: 0 });
  void searchTraining();
}

export function setTrainingOrder(bySimilarity: boolean): void {
  setTraining({ bySimilarity, offset: 0 });
  void searchTraining();
}

export function setTrainingOffset(offset: number): void {
  setTraining({ offset: Math.max(0, offset) });
  void searchTraining();
}

/** Training identity `row` becomes the current identity, unedited. */
export async function pickTrainingIdentity(row: number, file: string): Promise<void> {
  try {
    const { name, coef } = await spaceWorker().trainingIdentity(row);
    setIdentityCoef({ name, coef, origin: { training: { row, file } } });
  } catch (e) {
    setTraining({ error: errorMessage(e) });
  }
}
