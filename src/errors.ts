// The one error type that crosses TinySeg's edges. Every failure a user can
// cause (bad model bytes, bad options, bad cache entries) becomes a TinysegError
// with a stable code; anything else escaping to the CLI is a bug in TinySeg.

export type ErrorCode =
  | 'E_FORMAT' // bytes are not a valid TFLite flatbuffer
  | 'E_MODEL' // a well-formed flatbuffer describing an invalid model
  | 'E_UNSUPPORTED' // valid, but outside what TinySeg handles
  | 'E_USAGE' // wrong command line or option
  | 'E_IO' // reading or writing a file failed
  | 'E_PLAN'; // a memory plan that cannot hold the model's tensors

export class TinysegError extends Error {
  override readonly name = 'TinysegError';
  readonly code: ErrorCode;
  /** The file the problem is in, when there is one. */
  file: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { file?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.file = opts.file;
    this.hint = opts.hint;
  }

  /** One line: "<file>: <message> (<hint>)", with `fallbackHint` when the error has no hint of its own. */
  oneLine(fallbackHint?: string): string {
    const where = this.file ? `${this.file}: ` : '';
    const hint = this.hint ?? fallbackHint;
    return `${where}${this.message}${hint ? ` (${hint})` : ''}`.replace(/\s*\n\s*/g, ' ');
  }
}

/** Attach a file name to a TinysegError raised by code that only saw bytes. */
export function inFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TinysegError && e.file === undefined) e.file = file;
    throw e;
  }
}
