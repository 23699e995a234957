// The console asks the engine, through the worker, whether a line only reads;
// the answer is as of the step on screen, and Tab fills in what all
// completions share.

import { describe, expect, it } from 'vitest';
import { commonPrefix, queryMoment } from './console-commands';
import { createStores } from '../state/walk-store';

describe('the console query', () => {
  it('is as of the step on screen when the walk is the lab’s, else before any walk', () => {
    const stores = createStores({ name: 'empty', hosts: [] });
    expect(queryMoment(stores, 1)).toEqual({ walk: null, asOf: -1 });
    stores.walk.setState({ walk: { lab: 1, walk: 4 } });
    stores.playback.setState({ index: 17 });
    expect(queryMoment(stores, 1)).toEqual({ walk: 4, asOf: 17 });
    expect(queryMoment(stores, 2)).toEqual({ walk: null, asOf: -1 });
  });

  it('completes as far as every candidate agrees', () => {
    expect(commonPrefix(['ip addr show dev eth0', 'ip addr show dev eth1'])).toBe('ip addr show dev eth');
    expect(commonPrefix(['iptables', 'iptables-save', 'iptables-restore'])).toBe('iptables');
    expect(commonPrefix([])).toBe('');
  });
});
