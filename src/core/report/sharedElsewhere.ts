import type { ServerStatus } from '../base/model';
import { english, Translate } from '../base/translate';
import { clientName } from '../sources/clientNames';

/**
 * An entry whose share host runs for other clients while its own client is not attached to it
 * (ServerStatus.sharedElsewhere), in every face's words: not "not running", which is untrue of the
 * server, but whom it runs for and when this client joins it.
 */

/** `shared · runs for Claude Desktop, Cursor`: the short form a row or a cell says. */
export function sharedElsewhereLabel(s: Pick<ServerStatus, 'sharedElsewhere'>, t: Translate = english): string {
  const clients = s.sharedElsewhere?.clients ?? [];
  return clients.length > 0 ? t('shared · runs for {0}', clients.join(', ')) : t('shared · runs for other clients');
}

/** The whole sentence: the host's pid, the clients it serves, and that this client attaches when it starts the server. */
export function sharedElsewhereText(
  s: Pick<ServerStatus, 'sharedElsewhere' | 'source'>,
  t: Translate = english,
): string | undefined {
  const shared = s.sharedElsewhere;
  if (!shared) return undefined;
  const client = clientName(s.source.client);
  return shared.clients.length > 0
    ? t(
        'The server runs, shared, for {0} (share host pid {1}); {2} has not started it since, and attaches to it when it does.',
        shared.clients.join(', '),
        shared.pid,
        client,
      )
    : t(
        'The server runs, shared, for other clients (share host pid {0}); {1} has not started it since, and attaches to it when it does.',
        shared.pid,
        client,
      );
}
