// What the numbers were measured on; stored with every result file and printed in BENCHMARKS.md.
import os from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly totalMemGiB: number;
  /**
   * 1-minute load average when the `npm run bench` that measured the suite started (before its own
   * suites loaded the machine): a hint of how busy (noisy) the machine was with other work.
   */
  readonly loadAvg1m: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    totalMemGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvg1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}), ${m.totalMemGiB} GiB, Node ${m.node}, ${m.platform} ${m.arch}, load average ${m.loadAvg1m} at start`;
}
