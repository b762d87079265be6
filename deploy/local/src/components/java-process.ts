import { commandLineHas, logFile, marker, ownPid, startDetached, stopProcess } from '../processes.js';
import { javaBinary } from '../java.js';

/** Start/stop/ownership for a component that is one JVM started by the stack. */
export class JavaProcess {
  readonly logFile: string;

  constructor(
    private readonly component: string,
    private readonly heap: string,
  ) {
    this.logFile = logFile(component);
  }

  start(args: string[], cwd?: string): void {
    startDetached(
      this.component,
      javaBinary(),
      [marker(this.component), `-Xms${this.heap}`, `-Xmx${this.heap}`, '-XX:+UseSerialGC', ...args],
      cwd,
    );
  }

  owned(): boolean {
    return ownPid(this.component, commandLineHas(marker(this.component))) !== undefined;
  }

  async stop(): Promise<boolean> {
    const pid = ownPid(this.component, commandLineHas(marker(this.component)));
    if (pid === undefined) return false;
    await stopProcess(this.component, pid);
    return true;
  }
}
