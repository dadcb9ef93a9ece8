// Run as a separate process by eventClaim.test.ts: plays one extension host deciding notifications.
import { claimEvent } from '../../../src/extension/eventClaim';
import { claimed, decideNotifications } from '../../../src/extension/viewModel/notifications';
import { instance, server, snapshot, stale } from '../../unit/extension/fixtures';

const [stateDir, startAt] = process.argv.slice(2);
const servers = Array.from({ length: 20 }, (_, k) =>
  server(`s${k}`, { instances: [instance(k + 1, { verdicts: [stale('2026.7.4', '2026.8.31', `pkg-${k}`)] })] }),
);
const candidates = decideNotifications(
  snapshot(servers),
  { seen: new Set(), muted: new Set() },
  { onUpgrade: true, onRegistryUpdate: true },
);
// Both processes start deciding at the same moment, to race for real.
const wait = Number(startAt) - Date.now();
setTimeout(
  () => {
    const shown = claimed(candidates, (id) => claimEvent(stateDir, id).kind === 'claimed');
    process.stdout.write(JSON.stringify(shown.map((n) => n.eventId)));
  },
  Math.max(0, wait),
);
