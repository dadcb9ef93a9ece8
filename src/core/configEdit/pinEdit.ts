import type { Ecosystem } from '../base/versionTypes';
import { pinIn } from '../launch/pin';
import type { EntryChange } from './wrapEdit';

/**
 * The rewrite of the version an entry's command line pins (launch/pin.ts) to another: how Upgrade
 * and Roll back change a server that a runner fetches into its cache, where nothing can be
 * installed in place.
 */

/** The pinned arg with `to` instead of its spec, spelled as it was (`==` or `@`, extras kept). */
function repinned(arg: string, spec: string, to: string): string {
  return `${arg.slice(0, arg.length - spec.length)}${to}`;
}

/** Rewrites the entry's pin of `pkg` to `to`; every other value stays as written. */
export function pinChange(pkg: string, ecosystem: Ecosystem, to: string): EntryChange {
  return (entry, t) => {
    const pin = pinIn(entry.args, pkg, ecosystem);
    if (!pin) return t('the entry does not pin a version of {0}', pkg);
    if (pin.spec === to) return t('the entry already pins {0}', `${pkg} ${to}`);
    const keep = (value: string, i: number) =>
      entry.raw?.[i] !== undefined ? { value, raw: entry.raw[i] } : { value };
    return {
      command: keep(entry.command, 0),
      args: entry.args.map((a, i) => (i === pin.index ? { value: repinned(a, pin.spec, to) } : keep(a, i + 1))),
    };
  };
}
