/**
 * Panic routing (Envoy's panic threshold at 0 %): when every candidate's circuit is open,
 * refusing would keep the model down for as long as the cooldown, although the provider
 * may be back. Instead the candidate that failed least recently gets the request, as a probe.
 */
export function panicCandidate<T>(candidates: readonly T[], lastFailureAt: (candidate: T) => number): T | undefined {
  let chosen: T | undefined;
  let oldest = Infinity;
  for (const candidate of candidates) {
    const at = lastFailureAt(candidate);
    if (at < oldest) {
      oldest = at;
      chosen = candidate;
    }
  }
  return chosen;
}
