import type { ServiceUsage } from './shop.js';

/** One service's usage in a run, as the tests write it: CPU s per 1,000 orders, its processes, its peak RSS. */
export const serviceUsage = (
  service: string,
  cpuPer1000: number,
  processes = 1,
  peakRssMb = Number.NaN,
): ServiceUsage => ({ service, processes, cpuPer1000, peakRssMb });
