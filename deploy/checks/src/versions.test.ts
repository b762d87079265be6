import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { versions as localVersions } from '@chippy/local-stack/versions';
import { containersOf, render } from './k8s.js';
import { type Json, inRepo, isObject, readYaml } from './repo.js';
import {
  type Pinned,
  artifactProblems,
  dockerfileImages,
  imageLiterals,
  imageProblems,
  nativeNodeProblems,
  nodeImageProblems,
  pinConsistencyProblems,
  readNativeNode,
  readPinned,
  strimziKafkaVersionProblems,
} from './versions.js';

const read = (file: string) => readFileSync(inRepo(file), 'utf8');
const DOCKERFILES = ['deploy/compose/Dockerfile', 'deploy/compose/connect/Dockerfile'];
const K8S_TREES = [
  'deploy/k8s',
  'deploy/k8s/overlays/aiven',
  'deploy/k8s/optional/keda',
  'deploy/k8s/overlays/strimzi',
];

/** Every image reference of the three stacks, with where it is. */
function imageRefs(readFile = read): { where: string; image: string }[] {
  const refs: { where: string; image: string }[] = [];
  const compose = readYaml(inRepo('compose.yaml'));
  for (const [name, s] of Object.entries(compose.services as Record<string, Json>))
    if (typeof s.image === 'string') refs.push({ where: `compose ${name}`, image: s.image });
  for (const tree of K8S_TREES)
    for (const o of render(inRepo(tree))) {
      const pod = ((o.spec as Json | undefined)?.template as Json | undefined)?.spec as Json | undefined;
      const init = isObject(pod) ? ((pod.initContainers as Json[] | undefined) ?? []) : [];
      for (const c of [...containersOf(o), ...init])
        refs.push({
          where: `${tree} ${String(o.kind)}/${String((o.metadata as Json).name)}`,
          image: String(c.image),
        });
    }
  for (const file of DOCKERFILES)
    for (const image of dockerfileImages(readFile(file))) refs.push({ where: file, image });
  for (const image of imageLiterals(readFile('test/src/harness/containers.ts')))
    refs.push({ where: 'test/src/harness/containers.ts', image });
  return refs;
}

describe('one set of versions for the native stack, Compose, Kubernetes and the testcontainers path', () => {
  const pinned = readPinned();

  it('deploy/versions.json agrees with itself (image tags carry the Kafka and Apicurio versions)', () => {
    assert.deepEqual(pinConsistencyProblems(pinned), []);
    const broken: Pinned = { ...pinned, images: { ...pinned.images, kafka: 'apache/kafka:4.2.0' } };
    assert.deepEqual(pinConsistencyProblems(broken), ['images.kafka apache/kafka:4.2.0 is not Kafka 4.3.1']);
  });

  it('the native stack runs the pinned versions (deploy/local reads deploy/versions.json)', () => {
    for (const key of ['kafka', 'log4j', 'debeziumJdbc', 'apicurio'] as const)
      assert.equal(localVersions[key], (pinned as unknown as Record<string, string>)[key], key);
  });

  it('every image in Compose, the Kubernetes trees, the Dockerfiles and the harness is the pinned one', () => {
    const refs = imageRefs();
    assert.ok(refs.some((r) => r.where.startsWith('test/src/harness') || r.where.includes('Dockerfile')));
    assert.deepEqual(imageProblems(refs, pinned), []);
  });

  it('a Compose, Kubernetes or harness image at another version, or not pinned at all, is reported', () => {
    const problems = imageProblems(
      [
        { where: 'compose postgres', image: 'postgres:16-alpine' },
        { where: 'harness', image: 'confluentinc/cp-kafka:7.9.0' },
        { where: 'k8s kafka', image: 'apache/kafka:4.3.0' },
      ],
      pinned,
    );
    assert.deepEqual(problems, [
      'compose postgres: image postgres:16-alpine, but deploy/versions.json pins postgres:17.6-bookworm',
      'harness: image confluentinc/cp-kafka:7.9.0 is not in deploy/versions.json',
      'k8s kafka: image apache/kafka:4.3.0, but deploy/versions.json pins apache/kafka:4.3.1',
    ]);
  });

  it('the Connect image, the Strimzi overlay and the model check fetch the pinned artifacts', () => {
    assert.deepEqual(artifactProblems(read, pinned), []);
    assert.deepEqual(strimziKafkaVersionProblems(render(inRepo('deploy/k8s/overlays/strimzi')), pinned), []);
    const broken = (file: string) =>
      file === 'deploy/compose/connect/Dockerfile'
        ? read(file).replace('debezium-connector-jdbc:3.6.0.Final', 'debezium-connector-jdbc:3.5.0.Final')
        : file === 'deploy/checks/strimzi/pom.xml'
          ? read(file).replace('<strimzi.version>1.2.0', '<strimzi.version>0.45.0')
          : read(file);
    assert.deepEqual(artifactProblems(broken, pinned), [
      'deploy/compose/connect/Dockerfile: Debezium JDBC 3.5.0.Final, but deploy/versions.json pins 3.6.0.Final',
      'deploy/checks/strimzi/pom.xml: Strimzi 0.45.0, but deploy/versions.json pins 1.2.0',
    ]);
    assert.match(
      strimziKafkaVersionProblems(
        [{ kind: 'Kafka', metadata: { name: 'k' }, spec: { kafka: { version: '4.1.0' } } }],
        pinned,
      ).join(''),
      /Kafka\/k: Kafka 4.1.0, but deploy\/versions.json pins 4.3.1/,
    );
  });

  it('the service image runs a Node.js LTS line in support today, pinned exactly', () => {
    const image = pinned.images.node as string;
    assert.deepEqual(nodeImageProblems(image, new Date()), []);
    assert.ok(dockerfileImages(read('deploy/compose/Dockerfile')).every((i) => i === image));
    assert.deepEqual(nodeImageProblems('node:20.19.5-bookworm-slim', new Date('2026-05-01')), [
      'node:20.19.5-bookworm-slim: Node 20 reached end of life on 2026-04-30',
    ]);
    assert.equal(nodeImageProblems('node:23.1.0-bookworm-slim', new Date()).length, 1);
    assert.equal(nodeImageProblems('node:24-bookworm-slim', new Date()).length, 1);
  });

  it('the images run the Node that npm start, npm test, the bench and CI run (package.json pins it)', () => {
    assert.deepEqual(nativeNodeProblems(pinned, readNativeNode(read)), []);
    const native = readNativeNode(read);
    const other = (version: string) => `node:${version}-bookworm-slim`;
    const brokenImage: Pinned = { ...pinned, images: { ...pinned.images, node: other('24.20.0') } };
    assert.deepEqual(nativeNodeProblems(brokenImage, native), [
      `deploy/versions.json: images.node node:24.20.0-bookworm-slim is not Node ${native.pinned}, the one package.json pins (devDependencies.node)`,
    ]);
    const brokenCopy = (file: string) =>
      file === 'package.json'
        ? read(file).replace(/("engines": \{\s*"node": )"[^"]+"/, '$1">=20.19"')
        : read(file).replace(/("node_modules\/node": \{\s*"version": )"[^"]+"/, '$1"24.20.0"');
    assert.deepEqual(nativeNodeProblems(pinned, readNativeNode(brokenCopy)), [
      `package.json: engines.node >=20.19 is not the pinned Node ${native.pinned}`,
      `package-lock.json: node 24.20.0 is not the pinned Node ${native.pinned}`,
    ]);
    assert.deepEqual(nativeNodeProblems(pinned, { ...native, pinned: undefined }), [
      'package.json: no devDependencies.node, the Node chippy runs on natively',
    ]);
  });

  it('the testcontainers harness names no image of its own: it reads deploy/versions.json', () => {
    assert.deepEqual(imageLiterals(read('test/src/harness/containers.ts')), []);
    assert.match(read('test/src/harness/containers.ts'), /versions\.json/);
    assert.deepEqual(imageLiterals(`new GenericContainer('redis:7-alpine')`), ['redis:7-alpine']);
    assert.ok(path.isAbsolute(inRepo('deploy/versions.json')));
  });
});
