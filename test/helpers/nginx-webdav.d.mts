export interface NginxWebdav {
  /** Base URL, e.g. http://127.0.0.1:40123 (the remote cache URL). */
  url: string;
  port: number;
  /** The directory PUTs land in: <store>/ac/<key>, <store>/cas/<sha256>. */
  store: string;
  /** nginx's prefix: config, pid, logs. */
  dir: string;
  /** Kills nginx (SIGTERM, waits for its exit) and removes its directory. */
  stop(): Promise<void>;
}
export function findNginx(): string | undefined;
export function freePort(): Promise<number>;
export function startNginx(options?: { requiredHeader?: { name: string; value: string } }): Promise<NginxWebdav>;
