import { describe, expect, it } from 'vitest';
import { itemOrder } from './item-order.js';

describe('itemOrder', () => {
  it('goes round the list in file order when sequential', () => {
    const order = itemOrder('sequential', 3, 1);
    expect([0, 1, 2, 3, 4, 5, 6].map(order)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('shuffles every pass into a permutation, a different one each pass', () => {
    const order = itemOrder('shuffle', 50, 7);
    const first = Array.from({ length: 50 }, (_, i) => order(i));
    const second = Array.from({ length: 50 }, (_, i) => order(50 + i));
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...second].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(first).not.toEqual(second);
    expect(first).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives the same order for the same seed, whatever was asked before', () => {
    const a = itemOrder('shuffle', 20, 3);
    const b = itemOrder('shuffle', 20, 3);
    const late = [65, 3, 41, 0].map(b);
    expect([65, 3, 41, 0].map((i) => a(i))).toEqual(late);
    expect(Array.from({ length: 20 }, (_, i) => itemOrder('shuffle', 20, 4)(i))).not.toEqual(
      Array.from({ length: 20 }, (_, i) => a(i)),
    );
  });
});
