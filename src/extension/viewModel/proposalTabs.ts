/** A tab's input as far as a proposal is concerned: a diff's sides, or one document (VS Code's TabInputTextDiff, TabInputText). */
interface TabLike {
  input: unknown;
}

/**
 * The tabs that show a proposed edit (`proposed`: its document's URI), as its diff's right side or
 * on its own: closed once the edit's question is answered, since what it proposed is then written
 * or dropped and the file itself says what it holds. The user's own file, in any other tab, stays.
 */
export function proposalTabs<T extends TabLike>(tabs: readonly T[], proposed: string): T[] {
  return tabs.filter((tab) => {
    const input = tab.input as { modified?: unknown; uri?: unknown } | undefined;
    return String(input?.modified ?? '') === proposed || String(input?.uri ?? '') === proposed;
  });
}
