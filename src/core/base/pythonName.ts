/** PEP 503 normalisation: `Foo_Bar.baz` and `foo-bar-baz` are the same project (extras too, PEP 685). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
