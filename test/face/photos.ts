// The real test photos (../shared/fixtures/photos, read in place) and the face models, for test/face.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePng } from '../../src/cli/png';
import type { Rgba } from '../../src/engine/sd/image';
import { FIXTURES } from '../helpers/fixture';

export const photoPath = (name: string) => join(FIXTURES, 'photos', name);
export const readPhoto = async (name: string): Promise<Rgba> => decodePng(await readFile(photoPath(name)), name);
