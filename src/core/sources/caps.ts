/**
 * The most servers listed from one file. Real configs hold a few dozen; a file of hundreds of
 * thousands (10 MiB of tiny entries) would make every later step (matching, versions, output) slow
 * in proportion, so past this the rest are left out with a warning at the first one left out.
 * Adapters stop reading a server's fields past it: only the names are counted.
 */
export const MAX_SERVERS_PER_FILE = 20_000;

/**
 * The most problems listed for one file: a file that repeats 80,000 names needs a few examples,
 * not 80,000 lines. Adapters stop writing messages past it and count the rest (AdaptResult.omitted).
 */
export const MAX_DIAGNOSTICS_PER_FILE = 200;
