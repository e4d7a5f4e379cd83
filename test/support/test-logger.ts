import pino from 'pino';
import { createLogger } from '../../core/logging/logger';

/** Silent unless WFW_TEST_LOG_LEVEL is set, so test output stays readable. */
export function testLogger() {
  return createLogger(process.env.WFW_TEST_LOG_LEVEL ?? 'silent', 'wfw-test', pino.destination(2));
}
