import type { Connection } from 'mongoose';
import { LocalTelephonyAdapter } from './local-telephony-adapter';
import { localPhoneNumberModel } from './local-phone-number-model';
import { TelephonyAdapter, TelephonyName } from './telephony-adapter';
import { TwilioTelephonyAdapter } from './twilio-telephony-adapter';

export interface TelephonyAdapterDeps {
  /** Where the local number pool lives. */
  connection: Connection;
  /** Per-request timeout for Twilio; 15 s when unset. */
  providerTimeoutMs?: number;
}

export function createTelephonyAdapters(deps: TelephonyAdapterDeps): Record<TelephonyName, TelephonyAdapter> {
  return {
    twilio: new TwilioTelephonyAdapter({ timeoutMs: deps.providerTimeoutMs }),
    local: new LocalTelephonyAdapter(localPhoneNumberModel(deps.connection)),
  };
}
