/** What `action` throws (undefined when it returns), so tests can match the error's fields. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
