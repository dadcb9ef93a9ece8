/** The end of an exhaustive switch: a case left out is a type error, and a value no case knows throws. */
export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
