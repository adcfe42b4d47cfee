export function findPostgres(): { bin: string; missing?: undefined } | { bin?: undefined; missing: string };

export interface ThrowawayPostgres {
  /** postgres://warden@127.0.0.1:PORT/mcp_warden */
  url: string;
  port: number;
  /** Another empty database in the same cluster: its URL. */
  database(): Promise<string>;
  /** Kills the server as a crash would (no shutdown), leaving its data. */
  crash(): Promise<void>;
  /** Starts the server again on the same data and port. */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export function startThrowawayPostgres(options?: { durable?: boolean; settings?: Record<string, string> }): Promise<ThrowawayPostgres>;
