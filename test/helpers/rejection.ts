/** An error as tests inspect it: a VidaiError's `code` and `details` when it has them. */
export type Rejection = Error & { code?: string; details?: Record<string, unknown> };

/** Resolves with the error `promise` rejects with, for assertions on its fields; fails when it fulfils. */
export async function failure(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (err) {
    return err as Rejection;
  }
  throw new Error('expected a rejection');
}
