import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { COCO_LABELS } from './coco-labels.js';
import { sharedPath } from '../../../test/helpers/shared-data.js';

const classesYaml = sharedPath('coco128/classes.yaml');

it('holds the 80 COCO names in the order of coco128/classes.yaml', () => {
  const names: string[] = [];
  for (const line of readFileSync(classesYaml, 'utf8').split('\n')) {
    const m = /^\s+(\d+):\s*(.+?)\s*$/.exec(line);
    if (m) names[Number(m[1])] = m[2]!;
  }
  expect(names).toHaveLength(80);
  expect([...COCO_LABELS]).toEqual(names);
  expect(COCO_LABELS[0]).toBe('person');
  expect(COCO_LABELS[16]).toBe('dog');
  expect(COCO_LABELS[79]).toBe('toothbrush');
  expect(Object.isFrozen(COCO_LABELS)).toBe(true);
});
