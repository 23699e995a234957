// Opening a link or a gallery scenario keeps the user's work aside, once:
// a second link must not push the real work out of the backup.

import { describe, expect, it } from 'vitest';
import { AUTOSAVE_KEY, type KeyValueStore } from './autosave';
import { BACKUP_KEY, backupBeforeReplace, dropBackup, fingerprint, readBackup } from './backup';

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const host = (name: string) => ({ name, setup: [] });
const mine = { name: 'mine', hosts: [host('a')] };
const linkA = { name: 'link-a', hosts: [host('a')] };
const linkB = { name: 'link-b', hosts: [host('b')] };
const builtIn = { name: 'port-forward', hosts: [host('client')] };

describe('keeping the user’s work aside', () => {
  it('copies the work before a link replaces it, and gives it back', () => {
    const s = memory();
    expect(backupBeforeReplace(s, mine, linkA)).toBe(true);
    expect(readBackup(s)).toEqual(mine);
    dropBackup(s);
    expect(readBackup(s)).toBeNull();
  });

  it('does not let a second link push the work out', () => {
    const s = memory();
    backupBeforeReplace(s, mine, linkA);
    expect(backupBeforeReplace(s, linkA, linkB)).toBe(true);
    expect(readBackup(s)).toEqual(mine);
  });

  it('keeps a link’s scenario once the user changed it: that is work now', () => {
    const s = memory();
    backupBeforeReplace(s, mine, linkA);
    const edited = { ...linkA, hosts: [host('a'), host('c')] };
    backupBeforeReplace(s, edited, linkB);
    expect(readBackup(s)).toEqual(edited);
  });

  it('keeps nothing for the built-in scenario or the same scenario again', () => {
    const s = memory();
    expect(backupBeforeReplace(s, builtIn, linkA, [builtIn])).toBe(false);
    expect(backupBeforeReplace(s, linkA, { ...linkA })).toBe(false);
    expect(s.data.has(BACKUP_KEY)).toBe(false);
  });

  it('never touches the autosave itself, and survives a storage that refuses', () => {
    const s = memory();
    s.setItem(AUTOSAVE_KEY, 'saved');
    backupBeforeReplace(s, mine, linkA);
    expect(s.getItem(AUTOSAVE_KEY)).toBe('saved');
    const refusing: KeyValueStore = { getItem: () => null, setItem: () => { throw new Error('full'); }, removeItem: () => undefined };
    expect(backupBeforeReplace(refusing, mine, linkA)).toBe(false);
    expect(backupBeforeReplace(null, mine, linkA)).toBe(false);
  });

  it('tells scenarios apart by content, not identity', () => {
    expect(fingerprint({ a: 1 })).toBe(fingerprint({ a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
  });
});
