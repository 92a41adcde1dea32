/** Variables every service reads. */
export const COMMON_ENV = {
  LOG_LEVEL: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
  LOG_FILE: { type: 'string' },
  METRICS_PORT: { type: 'port', default: 0 },
  BIND_HOST: { type: 'string', default: '0.0.0.0' },
} as const;
