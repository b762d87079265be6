/** One part of the native stack, as `stack:up`, `stack:status` and `stack:down` see it. */
export interface Component {
  /** Short name: pid file, log file and CLI output. */
  name: string;
  /** What a person calls it. */
  title: string;
  /** Where clients reach it. */
  address: string;
  /** Whether it answers its clients now. */
  answers(): Promise<boolean>;
  /** Starts it in the background (artifacts are already fetched); does not wait for health. */
  start(): Promise<void>;
  /** How long `up` waits for it to answer after start. */
  startupTimeoutMs: number;
  /** Whether a running instance was started by this stack (and so is ours to stop). */
  owned(): boolean;
  /** Stops it if it is ours; true when something was stopped. */
  stop(): Promise<boolean>;
  /** Its log file, for `stack:logs` and failure reports. */
  logFile: string;
  /** Components that must answer before this one starts. */
  dependsOn?: string[];
  /** Runs once it answers (e.g. create a database); must be idempotent. */
  afterStart?(): Promise<void>;
}
