/**
 * The end of a switch over every member of a union: the compiler fails here when a member has no
 * case of its own (a new verdict kind, tree node or client kind is then worded everywhere, not
 * swallowed by a `default:`). Reached at run time only by a value outside the union's type.
 */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
