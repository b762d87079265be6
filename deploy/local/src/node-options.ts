/**
 * The V8 heap flags every chippy service process runs with: `npm start` passes them, the image sets them
 * (`deploy/compose/Dockerfile`, checked by deploy/checks) and `npm run bench` measures with them. A small
 * young generation and a bound on the old one keep each process's peak RSS within the memory goal at a
 * throughput cost; the measurements and the trade-off: docs/decisions/service-heap.md.
 */
export const serviceNodeOptions = '--max-semi-space-size=2 --max-old-space-size=96';
