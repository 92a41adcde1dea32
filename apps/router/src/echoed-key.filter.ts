import { SECRET_SLICE_LENGTH, secretScrubber } from '@ai-gateway/logging';

const holdsKey = (text: string): boolean => secretScrubber.scrub(text) !== text;

/**
 * The model ids a provider listed, without any that carry a key the scrubber knows, alone or with
 * the ids after it: a key cut into pieces shorter than a slice, one per id, is found where the
 * pieces meet. For each id, the ids from it on are joined until they hold a slice of a key (at
 * most two slices' length); when they do and would not without that first id, the whole run is
 * left out.
 */
export function withoutEchoedKeys(ids: readonly string[]): string[] {
  const echoed = new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    let joined = '';
    for (let j = i; j < ids.length && joined.length < 2 * SECRET_SLICE_LENGTH; j++) {
      joined += ids[j];
      if (!holdsKey(joined)) continue;
      if (!holdsKey(joined.slice(ids[i].length))) for (let k = i; k <= j; k++) echoed.add(k);
      break;
    }
  }
  return ids.filter((_, i) => !echoed.has(i));
}
