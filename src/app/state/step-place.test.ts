// A re-walk after an edit opens where the user stood, when the new walk
// still has that place: the same packet of the same connection, on the
// same host, at the same node for the same time. The walks are the
// engine's own, of the built-in port forward.

import { describe, expect, it } from 'vitest';
import { Lab } from '../../engine/lab/lab';
import type { WalkLog } from '../../engine/walk-log';
import { BUILT_IN } from '../../scenarios/built-in';
import { findPlace, stepPlace } from './step-place';
import { openIndex } from './walk-store';

function labOf(): Lab {
  const r = Lab.open(BUILT_IN);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.lab;
}

function walkAfter(edits: string[]): WalkLog {
  const lab = labOf();
  for (const e of edits) expect(lab.edit('router', e).ok, e).toBe(true);
  return lab.walk().log;
}

/** The first step of the router's first packet at `node`. */
function routerStep(log: WalkLog, node: string, packet = 0): number {
  const ids = log.packets.filter((p) => p.host === 'router' && p.step === 1).map((p) => p.id);
  const i = log.steps.findIndex((s) => s.packet === ids[packet] && s.node === node);
  expect(i, `${node} of router packet ${packet}`).toBeGreaterThan(0);
  return i;
}

describe('the place of a step', () => {
  const before = walkAfter([]);

  it('finds itself in the same walk', () => {
    for (const i of [0, 5, routerStep(before, 'filter FORWARD'), before.steps.length - 1]) expect(findPlace(before, stepPlace(before, i))).toBe(i);
  });

  it('is kept when an edit adds steps before it: the index moves, the place does not', () => {
    const at = routerStep(before, 'filter FORWARD');
    const after = walkAfter(['iptables -t raw -A PREROUTING -j MARK --set-mark 1', 'iptables -t mangle -A PREROUTING -j MARK --set-mark 2']);
    const i = findPlace(after, stepPlace(before, at));
    expect(i).toBeGreaterThan(at);
    expect(after.steps[i]).toMatchObject({ host: 'router', node: 'filter FORWARD', packet: after.steps[routerStep(after, 'filter FORWARD')]!.packet });
    expect(stepPlace(after, i)).toEqual(stepPlace(before, at));
  });

  it('a later visit of the same node stays the later visit', () => {
    // the SYN/ACK is the router's second packet of the connection; its FORWARD is a different place than the SYN's
    const synAck = routerStep(before, 'filter FORWARD', 1);
    expect(findPlace(walkAfter(['iptables -t raw -A PREROUTING -j ACCEPT']), stepPlace(before, synAck))).toBe(routerStep(walkAfter(['iptables -t raw -A PREROUTING -j ACCEPT']), 'filter FORWARD', 1));
  });

  it('falls back to the packet’s end when the edit stops the packet before that node', () => {
    const at = routerStep(before, 'nat POSTROUTING');
    const after = walkAfter(['iptables -I FORWARD -j DROP']);
    const i = findPlace(after, stepPlace(before, at));
    expect(after.steps[i]).toMatchObject({ kind: 'end', host: 'router', node: 'filter FORWARD' });
  });

  it('falls back to the connection’s first step when that packet is no longer made, and to the first step of all without a place', () => {
    // the web server's SYN/ACK never comes once the router drops the SYN
    const web = before.steps.findIndex((s) => s.host === 'web' && s.scenarioStep === 1 && s.kind === 'originate');
    expect(web).toBeGreaterThan(0);
    const after = walkAfter(['iptables -I FORWARD -j DROP']);
    expect(findPlace(after, stepPlace(before, web))).toBe(after.scenarioSteps[0]!.firstStep);
    expect(findPlace(after, null)).toBe(0);
  });
});

describe('where a new walk opens', () => {
  const log = walkAfter([]);
  it('at the start, at the first step of a traffic step just sent, or where the user stood', () => {
    const at = routerStep(log, 'filter FORWARD');
    expect(openIndex(log, 'start', log, at)).toBe(0);
    expect(openIndex(log, { traffic: 2 }, log, at)).toBe(log.scenarioSteps[1]!.firstStep);
    expect(openIndex(log, 'keep', log, at)).toBe(at);
    expect(openIndex(log, 'keep', null, -1)).toBe(0);
  });
});
