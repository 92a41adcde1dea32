import { ADMIN_FAILURE_WINDOW_MS, ADMIN_FAILURES_PER_WINDOW, AdminSignInGuard } from './admin-signin.guard';

describe('AdminSignInGuard', () => {
  it('locks an address after its allowed failures, until the window ends', () => {
    let now = 1_000;
    const guard = new AdminSignInGuard(() => now);
    for (let i = 0; i < ADMIN_FAILURES_PER_WINDOW - 1; i++) guard.recordFailure('10.0.0.1');
    expect(guard.lockedForMs('10.0.0.1')).toBe(0);
    guard.recordFailure('10.0.0.1');
    expect(guard.lockedForMs('10.0.0.1')).toBe(ADMIN_FAILURE_WINDOW_MS);
    expect(guard.lockedForMs('10.0.0.2')).toBe(0);
    now += ADMIN_FAILURE_WINDOW_MS - 1;
    expect(guard.lockedForMs('10.0.0.1')).toBe(1);
    now += 1;
    expect(guard.lockedForMs('10.0.0.1')).toBe(0);
  });
});
