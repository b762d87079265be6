import { test } from 'node:test';

test('deploy checks package builds', () => {});
