import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Certificates as Aiven issues them, made with openssl for one test run under `dir`:
 * - `ca/`: the test CA (`ca.pem`, `ca.key`);
 * - `broker.pem`: the broker's key and certificate (SAN IP:127.0.0.1 and localhost), for a PEM keystore;
 * - `client/`: what a service is given: `ca.pem`, `service.cert`, `service.key` (a client certificate);
 * - `ca-only/`: only `ca.pem`, as for Aiven's SASL endpoints;
 * - `wrong-client/`: the right `ca.pem`, but a client certificate from another CA the broker does not trust.
 */
export interface TestCerts {
  caPem: string;
  brokerPem: string;
  clientDir: string;
  caOnlyDir: string;
  wrongClientDir: string;
}

const openssl = (cwd: string, args: string[]) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

function makeCa(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** A key (PKCS#8, unencrypted: what Kafka's PEM keystore and Node's tls both read) and a certificate signed by the CA in `caDir`. */
function makeLeaf(
  caDir: string,
  outDir: string,
  name: string,
  extensions: string[],
): { key: string; cert: string } {
  mkdirSync(outDir, { recursive: true });
  const key = path.join(outDir, `${name}.key`);
  const csr = path.join(outDir, `${name}.csr`);
  const cert = path.join(outDir, `${name}.cert`);
  const ext = path.join(outDir, `${name}.ext`);
  writeFileSync(ext, `${extensions.join('\n')}\n`);
  openssl(outDir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(outDir, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    path.join(caDir, 'ca.pem'),
    '-CAkey',
    path.join(caDir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { key, cert };
}

export function makeTestCerts(dir: string): TestCerts {
  const caDir = path.join(dir, 'ca');
  const otherCaDir = path.join(dir, 'other-ca');
  makeCa(caDir, 'chippy-test-ca');
  makeCa(otherCaDir, 'not-the-kafka-ca');
  const caPem = path.join(caDir, 'ca.pem');

  const broker = makeLeaf(caDir, path.join(dir, 'broker'), 'broker', [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    // clientAuth too: the broker talks to itself over its SSL listener, which requires a client certificate.
    'extendedKeyUsage=serverAuth,clientAuth',
  ]);
  const brokerPem = path.join(dir, 'broker.pem');
  writeFileSync(brokerPem, readFileSync(broker.key, 'utf8') + readFileSync(broker.cert, 'utf8'));

  const aivenLayout = (target: string, leafCaDir: string, name: string) => {
    const leaf = makeLeaf(leafCaDir, path.join(dir, `${name}-work`), name, ['extendedKeyUsage=clientAuth']);
    mkdirSync(target, { recursive: true });
    copyFileSync(caPem, path.join(target, 'ca.pem'));
    copyFileSync(leaf.cert, path.join(target, 'service.cert'));
    copyFileSync(leaf.key, path.join(target, 'service.key'));
  };
  const clientDir = path.join(dir, 'client');
  const wrongClientDir = path.join(dir, 'wrong-client');
  aivenLayout(clientDir, caDir, 'chippy-service');
  aivenLayout(wrongClientDir, otherCaDir, 'intruder');
  const caOnlyDir = path.join(dir, 'ca-only');
  mkdirSync(caOnlyDir, { recursive: true });
  copyFileSync(caPem, path.join(caOnlyDir, 'ca.pem'));

  return { caPem, brokerPem, clientDir, caOnlyDir, wrongClientDir };
}
