// Pinned versions of the Go programs the stack and its tests use.
export const TOOLS = [
  { name: 'nats-server', module: 'github.com/nats-io/nats-server/v2', version: 'v2.15.2' },
  { name: 'local-kms', module: 'github.com/nsmithuk/local-kms', version: 'v0.0.0-20260228092603-2a5e92d09ab6' },
  { name: 'helm', module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' },
];
