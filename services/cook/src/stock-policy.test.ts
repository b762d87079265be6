import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noPortions, portionsFor, type Portions } from '@chippy/shop';
import { levelsFor, nonZero, planBatch, type StockLevels, type StockPolicy } from './stock-policy.js';
import { createDemand } from './demand.js';

const policy: StockPolicy = {
  standard: { cod: 10, chips: 20 },
  minLowWater: { cod: 3, chips: 6 },
  capacity: 60,
  fryMaxSeconds: 3.2,
  lookSeconds: 0.5,
};
const idle: StockLevels = { target: { cod: 10, chips: 20 }, lowWater: { cod: 3, chips: 6 } };
const levels = (cod: number, chips: number, plaice = 0): Portions => ({ cod, chips, plaice });
const waiting = (need: Portions, plaice = need.plaice) => ({ need, plaice });

describe('levelsFor', () => {
  it('with no demand, the standing rules', () => {
    assert.deepEqual(levelsFor(policy, { cod: 0, chips: 0 }), idle);
  });

  it("three tills' demand raises the marks above the talk's levels", () => {
    // 2.0 cod and 3.6 chips a second (docs/architecture.md, "Keeping up").
    assert.deepEqual(levelsFor(policy, { cod: 2, chips: 3.6 }), {
      lowWater: { cod: 12, chips: 20 },
      target: { cod: 22, chips: 38 },
    });
  });
});

describe('planBatch', () => {
  it('a cabinet above its low-water marks and no plaice asked for: nothing to fry', () => {
    assert.deepEqual(planBatch(levels(5, 10), [], idle, 60), { batch: noPortions(), answers: 0 });
  });

  it('requests the cabinet already covers are answered without frying', () => {
    const plan = planBatch(levels(9, 19), [waiting(levels(1, 1)), waiting(levels(1, 3))], idle, 60);
    assert.deepEqual(plan, { batch: noPortions(), answers: 2 });
  });

  it('one item below its low-water mark: cod and chips are both brought up to target', () => {
    assert.deepEqual(planBatch(levels(2, 15), [], idle, 60), { batch: levels(8, 5), answers: 0 });
  });

  it('plaice is fried exactly to order, and the cabinet is topped up in the same batch', () => {
    const plan = planBatch(
      levels(6, 12),
      [waiting(levels(1, 2, 1)), waiting(levels(0, 1, 1)), waiting(levels(1, 1))],
      idle,
      60,
    );
    // Reserved for the three orders: 2 cod, 4 chips; so 4 cod and 8 chips are really there.
    assert.deepEqual(plan, { batch: levels(6, 12, 2), answers: 3 });
  });

  it('what waiting orders will take is not counted as stock', () => {
    const plan = planBatch(levels(4, 20), [waiting(levels(2, 0)), waiting(levels(1, 0))], idle, 60);
    assert.deepEqual(plan.batch, levels(9, 0), '4 cod less 3 reserved is 1, below the mark of 3');
  });

  it('a full fryer answers the requests that fit and shares the rest of the room', () => {
    const many = Array.from({ length: 5 }, () => waiting(levels(0, 1, 12)));
    const plan = planBatch(levels(0, 0), many, idle, 50);
    assert.equal(plan.answers, 4, 'four requests of 12 plaice fit in 50');
    assert.deepEqual(
      plan.batch,
      levels(0, 2, 48),
      "two portions of room left: cod's share rounds down, chips take the rest",
    );
  });

  it('nonZero shows only the items fried', () => {
    assert.deepEqual(nonZero(levels(0, 4, 1)), { chips: 4, plaice: 1 });
  });
});

/** A small seeded generator, so the simulation is the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The till's die (services/till), plaice on the menu. */
function roll(random: () => number): string[] {
  const die = 1 + Math.floor(random() * 6);
  if (die === 6) return ['cod & chips', 'plaice & chips'];
  if (die === 5) return ['cod & chips', 'chips & chips'];
  if (die === 4) return ['chips'];
  return ['cod & chips'];
}

/**
 * `tills` tills at demo pace for `minutes`, preparers that take at once (so only the cook can hold an
 * order up), and one cook that plans every turn with levelsFor and planBatch, as the kitchen does.
 */
function simulate(tills: number, minutes: number) {
  const random = seeded(tills * 7919);
  const end = minutes * 60;
  const cabinet = noPortions();
  const taken = { cod: 0, chips: 0 };
  const demand = createDemand(30_000);
  const nextOrder = Array.from({ length: tills }, () => 1 + random() * 0.5);
  let pending: { need: Portions; plaice: number; since: number }[] = [];
  let placed = 0;
  let shortOfStock = 0; // orders held up by cod or chips, not by plaice
  const waits: number[] = [];
  let fryingUntil = 0;
  let inFryer: { batch: Portions; answers: typeof pending } | undefined;
  let nextLook = 0;

  const take = (need: Portions) => {
    if (need.cod > cabinet.cod || need.chips > cabinet.chips || need.plaice > cabinet.plaice) return false;
    for (const item of ['cod', 'chips', 'plaice'] as const) cabinet[item] -= need[item];
    taken.cod += need.cod;
    taken.chips += need.chips;
    return true;
  };
  const ask = (need: Portions, since: number) =>
    pending.push({ need, plaice: Math.max(0, need.plaice - cabinet.plaice), since });

  for (let t = 0; t < end; t = Math.round((t + 0.01) * 100) / 100) {
    for (let i = 0; i < tills; i++) {
      if (t < nextOrder[i]!) continue;
      nextOrder[i] = t + 1 + random() * 0.5;
      placed++;
      const need = portionsFor(roll(random));
      if (take(need)) {
        waits.push(0);
        continue;
      }
      if (need.plaice === 0) shortOfStock++;
      ask(need, t);
    }
    if (inFryer && t >= fryingUntil) {
      cabinet.cod += inFryer.batch.cod;
      cabinet.chips += inFryer.batch.chips;
      cabinet.plaice += inFryer.batch.plaice;
      for (const request of inFryer.answers) {
        if (take(request.need)) waits.push(t - request.since);
        else ask(request.need, request.since); // someone took it meanwhile: ask again
      }
      inFryer = undefined;
      nextLook = t;
    }
    if (!inFryer && (t >= nextLook || pending.length > 0)) {
      demand.observe(t * 1000, taken);
      const plan = planBatch(cabinet, pending, levelsFor(policy, demand.rate()), policy.capacity);
      const answers = pending.slice(0, plan.answers);
      pending = pending.slice(plan.answers);
      if (Object.values(plan.batch).some((n) => n > 0)) {
        inFryer = { batch: plan.batch, answers };
        fryingUntil = t + 3.0 + 0.2 * random();
      } else {
        for (const request of answers) {
          if (take(request.need)) waits.push(t - request.since);
          else ask(request.need, request.since);
        }
        nextLook = t + policy.lookSeconds;
      }
    }
  }
  const sorted = [...waits].sort((a, b) => a - b);
  return {
    placed,
    done: waits.length,
    notDone: placed - waits.length,
    shortOfStock,
    p99Wait: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
    maxWait: sorted.at(-1) ?? 0,
  };
}

describe('one cook against a simulated demand stream (demo pace)', () => {
  it('three tills: every order is served, few wait for cod or chips, none waits long', () => {
    const run = simulate(3, 30);
    assert.ok(run.placed > 4000, `about 0.8 orders a second a till (placed ${run.placed})`);
    // At any moment only orders asked for in the last turn or two are still waiting for the fryer.
    assert.ok(run.notDone <= 10, `orders left waiting at the end: ${run.notDone}`);
    assert.ok(run.shortOfStock / run.placed < 0.02, `held up by cod or chips: ${run.shortOfStock}`);
    assert.ok(run.maxWait < 10, `longest wait for the cook ${run.maxWait.toFixed(1)} s (three fries)`);
  });

  it('eight tills, the most one cook is rated for, still keep up', () => {
    const run = simulate(8, 20);
    assert.ok(run.notDone <= 25, `orders left waiting at the end: ${run.notDone}`);
    assert.ok(run.p99Wait < 10, `p99 wait ${run.p99Wait.toFixed(1)} s`);
  });

  it('twelve tills are more than one fryer can supply: the orders waiting pile up', () => {
    const run = simulate(12, 20);
    assert.ok(run.notDone > 200, `a second cook is needed (waiting at the end: ${run.notDone})`);
  });
});
