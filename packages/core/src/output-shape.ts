import { ErrorCodes, VidaiError } from './errors.js';

/** Formats tensor dims the way error messages show them: `[1,3549,85]`. @internal */
export function formatDims(dims: readonly (number | string)[]): string {
  return `[${dims.join(',')}]`;
}

/**
 * Throws `model-shape-mismatch` when `output` does not hold exactly the elements
 * that `dims` describe.
 * @internal
 */
export function checkOutputSize(output: ArrayLike<number>, dims: readonly number[]): void {
  let size = 1;
  for (const d of dims) size *= d;
  if (output.length !== size) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      `Model output holds ${output.length} values but its shape ${formatDims(dims)} needs ${size}.`,
      { details: { dims: [...dims], length: output.length } },
    );
  }
}
