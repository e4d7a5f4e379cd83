import { Client, Connection } from '@temporalio/client';

export interface TemporalHandle {
  connection: Connection;
  client: Client;
  check(): Promise<void>;
}

/** A lazy connection: the API starts (and reports not-ready) even while Temporal is still booting. */
export function connectTemporal(address: string, namespace: string): TemporalHandle {
  const connection = Connection.lazy({ address });
  const client = new Client({ connection, namespace });
  return {
    connection,
    client,
    async check() {
      await connection.workflowService.describeNamespace({ namespace });
    },
  };
}
