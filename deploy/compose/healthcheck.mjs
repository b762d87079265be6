// Container health check: GET http://127.0.0.1:<port><path> must answer 200 within 2 s.
// The port is HTTP_PORT when set, else each service's default (till 9101, preparer 9102, cook 9103,
// summary 8080) is tried. Usage: node deploy/compose/healthcheck.mjs [/healthz|/readyz]
const path = process.argv[2] ?? '/healthz';
const ports = process.env.HTTP_PORT ? [process.env.HTTP_PORT] : ['9101', '9102', '9103', '8080'];
for (const port of ports) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
    if (response.ok) process.exit(0);
    console.error(`${path} on port ${port}: HTTP ${response.status}`);
  } catch (error) {
    if (ports.length === 1) console.error(`${path} on port ${port}: ${error.message}`);
  }
}
process.exit(1);
