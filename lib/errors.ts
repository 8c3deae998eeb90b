/** Bad usage or bad input (a file, a row, a field): stages exit 2 with this message. */
export class InputError extends Error {
  override name = 'InputError';
}
