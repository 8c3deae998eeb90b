/** Bad usage or bad input (a file, a row, a field): stages exit 2 with this message. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * The data cannot support what was asked (a family without the events it needs, too few
 * examples): exit 2 with one line saying what is missing and what to do. The stage's summary JSON
 * still closes stdout, with `skipped` set to the reason, so `make all` can carry on with the rest.
 */
export class DataRequirementError extends InputError {
  override name = 'DataRequirementError';
  constructor(
    message: string,
    readonly summary: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * A stage declining to register a result for a stated reason (a model not far enough above its
 * random floor): exit 2 with the message and a summary JSON carrying `refused`; nothing is written.
 */
export class StageRefusal extends Error {
  override name = 'StageRefusal';
  constructor(
    message: string,
    readonly summary: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A stage stopping because its own result proves something is wrong (a leak): exit 1 with the message, no stack. */
export class StageFailure extends Error {
  override name = 'StageFailure';
}
