// Integration suites start real processes (nats-server, local-kms) and whole stacks.
jest.setTimeout(60_000);
