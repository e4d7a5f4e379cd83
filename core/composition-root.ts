import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import { accountModel } from './accounts/account-model';
import { AccountService } from './accounts/account-service';
import { signingKeyModel } from './auth/signing-key-model';
import { TokenService } from './auth/token-service';
import { idempotencyModel } from './idempotency/idempotency-model';
import { IdempotencyService } from './idempotency/idempotency-service';
import { OutboundHttpClient } from './outbound/outbound-http-client';
import { rateLimitModel } from './rate-limits/rate-limit-model';
import { RateLimitService } from './rate-limits/rate-limit-service';
import { serviceAccountModel } from './service-accounts/service-account-model';
import { ServiceAccountService } from './service-accounts/service-account-service';

/**
 * The one place where the core's services are built and wired. The API, the worker, the CLI and
 * tests all go through here; a test swaps an adapter by passing a different one, not by mocking modules.
 */
export interface Core {
  config: Config;
  logger: Logger;
  connection: Connection;
  accounts: AccountService;
  serviceAccounts: ServiceAccountService;
  tokens: TokenService;
  idempotency: IdempotencyService;
  rateLimits: RateLimitService;
  outbound: OutboundHttpClient;
  ensureIndexes(): Promise<void>;
}

export function createCore(config: Config, connection: Connection, logger: Logger): Core {
  const models = {
    accounts: accountModel(connection),
    serviceAccounts: serviceAccountModel(connection),
    signingKeys: signingKeyModel(connection),
    idempotency: idempotencyModel(connection),
    rateLimits: rateLimitModel(connection),
  };
  const serviceAccounts = new ServiceAccountService(models.serviceAccounts);
  return {
    config,
    logger,
    connection,
    accounts: new AccountService(models.accounts),
    serviceAccounts,
    tokens: new TokenService(serviceAccounts, models.signingKeys, config.tokenTtlSeconds, config.tokenSigningKey),
    idempotency: new IdempotencyService(models.idempotency),
    rateLimits: new RateLimitService(models.rateLimits, config.rateLimit),
    outbound: new OutboundHttpClient({ allowPrivateNetworks: config.allowPrivateNetworks }),
    async ensureIndexes() {
      for (const model of Object.values(models)) await model.createIndexes();
    },
  };
}
