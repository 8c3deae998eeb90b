/** Bad usage or bad input (a file, a row, a field): stages exit 2 with this message. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A stage refusing to go on for a stated reason (a leak, a model below its floor): exit 1 with the message, no stack. */
export class StageRefusal extends Error {
  override name = 'StageRefusal';
}
