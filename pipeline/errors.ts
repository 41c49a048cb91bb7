// Errors a user can act on (a bad option, a port in use, a missing target): the CLI prints their message alone,
// without a stack trace. Anything else is a bug or an outage and is logged with its stack.
export function expectedError(message: string): Error {
  return Object.assign(new Error(message), { expected: true });
}
