import { resolve } from 'node:path';

/**
 * The shared test data (models, images, videos, coco128): `VIDAI_SHARED_DIR`, else
 * `../shared` beside the repository. Tests read it by path; none of it is copied
 * into the project.
 */
export const sharedDir = process.env.VIDAI_SHARED_DIR ?? resolve(import.meta.dirname, '../../../shared');

/** A path inside the shared test data, e.g. `sharedPath('images/dog.jpg')`. */
export function sharedPath(...parts: string[]): string {
  return resolve(sharedDir, ...parts);
}
