import type { Connection } from 'mongoose';
import { ElevenLabsPlatformAdapter } from './elevenlabs-platform-adapter';
import { LocalPlatformAdapter } from './local-platform-adapter';
import { localPlatformAgentModel } from './local-platform-agent-model';
import { PlatformAdapter, PlatformName } from './platform-adapter';
import { RetellPlatformAdapter } from './retell-platform-adapter';
import { VapiPlatformAdapter } from './vapi-platform-adapter';

export interface PlatformAdapterDeps {
  /** Where the local simulator keeps its agents. */
  connection: Connection;
  /** Simulated round trip of the local platform, per call. */
  localLatencyMs?: number;
  /** Per-request timeout for the real providers; 15 s when unset. */
  providerTimeoutMs?: number;
}

/** One adapter per platform; the return type keeps this in step with PLATFORM_NAMES. */
export function createPlatformAdapters(deps: PlatformAdapterDeps): Record<PlatformName, PlatformAdapter> {
  const http = { timeoutMs: deps.providerTimeoutMs };
  return {
    elevenlabs: new ElevenLabsPlatformAdapter(http),
    vapi: new VapiPlatformAdapter(http),
    retell: new RetellPlatformAdapter(http),
    local: new LocalPlatformAdapter(localPlatformAgentModel(deps.connection), { latencyMs: deps.localLatencyMs }),
  };
}
