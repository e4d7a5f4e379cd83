import type { PlatformName } from '../../platforms/platform-adapter';
import { ElevenLabsNotificationReader } from './elevenlabs-notifications';
import { LocalNotificationReader } from './local-notifications';
import type { PlatformNotificationReader } from './notification-reading';
import { RetellNotificationReader } from './retell-notifications';
import { VapiNotificationReader } from './vapi-notifications';

/**
 * Reading a voice platform's call notification: first proving it came from the platform (each
 * platform signs differently, as its documentation says), then turning its call object into our
 * PlatformNotification. The notification route asks this registry for the platform's reader:
 *
 *   const reader = notificationReader(platform);
 *   reader.verify({ headers, rawBody, now }, secret);   // throws NotificationRejected
 *   const notification = reader.parse(rawBody);         // throws NotificationRejected('malformed')
 *
 * What differs per platform lives in `<platform>-notifications.ts`; what they share in
 * notification-reading.ts.
 */
export {
  MAX_NOTIFICATION_BYTES,
  NotificationRejected,
  type NotificationRequest,
  type PlatformNotificationReader,
  type ReaderOptions,
  type RejectionReason,
} from './notification-reading';

let readers: Record<PlatformName, PlatformNotificationReader> | null = null;

/** The reader with each platform's documented defaults (tolerances, header names). */
export function notificationReader(platform: PlatformName): PlatformNotificationReader {
  readers ??= {
    elevenlabs: new ElevenLabsNotificationReader(),
    vapi: new VapiNotificationReader(),
    retell: new RetellNotificationReader(),
    local: new LocalNotificationReader(),
  };
  return readers[platform];
}
