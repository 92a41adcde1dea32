// A provider key's pool state (GET /admin/v1/provider-keys `status`) as the keys table shows it. Pure.
import type { ProviderKey } from './admin-api.js';

export interface KeyStateCell {
  label: string;
  /** The CSS class of the state badge. */
  badgeClass: string;
  /** Failing keys are highlighted: they serve nothing until rotated. */
  failing: boolean;
}

/** "14:03:07" in the viewer's time zone; "" for a missing or bad timestamp. */
function timeOf(iso: string | undefined): string {
  const at = iso ? new Date(iso) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '';
}

export function keyStateCell(key: Pick<ProviderKey, 'status' | 'coolingUntil' | 'failingSince' | 'failingStatus'>): KeyStateCell {
  switch (key.status) {
    case 'ok':
      return { label: 'in pool', badgeClass: 'badge badge-healthy', failing: false };
    case 'cooling': {
      const until = timeOf(key.coolingUntil);
      return { label: until ? `cooling (429) until ${until}` : 'cooling (429)', badgeClass: 'badge badge-degraded', failing: false };
    }
    case 'failing': {
      const since = timeOf(key.failingSince);
      const status = key.failingStatus ? ` (${key.failingStatus})` : '';
      return { label: `failing${status}${since ? ` since ${since}` : ''}: rotate it`, badgeClass: 'badge badge-down', failing: true };
    }
    default:
      return { label: 'unknown', badgeClass: 'badge badge-unknown', failing: false };
  }
}
