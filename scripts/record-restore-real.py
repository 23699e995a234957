#!/usr/bin/env python3
# pattern: Imperative Shell
# Records what the real iptables-legacy-restore 1.8.9 does with each input of
# a .cases file, in a throw-away network namespace (never the root one):
#
#   sudo scripts/record-restore-real.py src/engine/iptables/__fixtures__/restore-real.cases \
#        > src/engine/iptables/__fixtures__/restore-real.json
#   sudo scripts/record-restore-real.py --dumps src/engine/iptables/__fixtures__/dumps
#
# With --dumps, every NAME.rules in the folder is loaded with --counters into
# its own fresh namespace (after creating the ipsets and nfacct objects it
# names, as its host would have them) and iptables-legacy-save's output
# without the '#' lines is written to NAME.saved; a dump that does not load
# is an error.
#
# .cases format: "=== NAME [--counters] [--noflush]" starts a case; the lines
# up to the next "===" are its input, written with a final newline unless NAME
# contains "nonl". In the input, <CR> is a carriage return, <TAB> a tab, and
# <{TEXT}*N> is TEXT repeated N times. Each case starts from all five tables
# empty with ACCEPT policies. Recorded per case: exit code, stderr without the
# "Try `iptables-restore -h'" hint, the kernel lines that appeared in dmesg,
# and iptables-legacy-save (-c with --counters) of every table the input names.
# Runs under the oracle lock (scripts/oracle-run): the kernel's x_tables lines
# go to the one global log, and are rate limited (10 per 5 s), hence the pause;
# a line the kernel logs without a newline only shows once the next line is
# logged, hence the recorder's own line in the kernel log after each case.
import json
import os
import re
import subprocess
import sys
import time

NS = f'pwrec-{os.getpid()}'
CHAINS = {
    'raw': ['PREROUTING', 'OUTPUT'],
    'mangle': ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    'nat': ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    'filter': ['INPUT', 'FORWARD', 'OUTPUT'],
    'security': ['INPUT', 'FORWARD', 'OUTPUT'],
}
RESET = ''.join(f'*{t}\n' + ''.join(f':{c} ACCEPT [0:0]\n' for c in cs) + 'COMMIT\n' for t, cs in CHAINS.items())


def expand(text):
    text = text.replace('<CR>', '\r').replace('<TAB>', '\t')
    return re.sub(r'<\{(.*?)\}\*(\d+)>', lambda m: m.group(1) * int(m.group(2)), text)


def read_cases(path):
    cases = []
    for raw in open(path, encoding='utf-8', newline='').read().split('\n'):
        if raw.startswith('=== '):
            words = raw[4:].split()
            cases.append({'name': words[0], 'flags': words[1:], 'lines': []})
        elif cases:
            cases[-1]['lines'].append(raw)
    for c in cases:
        while c['lines'] and c['lines'][-1] == '':
            c['lines'].pop()
        text = expand('\n'.join(c['lines']))
        c['input'] = text if 'nonl' in c['name'] else text + '\n'
        del c['lines']
    return cases


def ns(*args, data=None):
    return subprocess.run(['ip', 'netns', 'exec', NS, *args], input=data, capture_output=True)


def kmsg():
    """The kernel log as (seconds since boot, text) pairs."""
    out = []
    for line in subprocess.run(['dmesg'], capture_output=True).stdout.decode(errors='replace').splitlines():
        m = re.match(r'\[\s*(\d+\.\d+)\] (.*)', line)
        if m:
            out.append((float(m.group(1)), m.group(2)))
    return out


def record_dumps(folder):
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.rules'):
            continue
        text = open(os.path.join(folder, name), encoding='utf-8').read()
        subprocess.run(['ip', 'netns', 'add', NS], check=True)
        try:
            for s in sorted(set(re.findall(r'--match-set (\S+)', text))):
                ns('ipset', 'create', s, 'hash:net')
            for s in sorted(set(re.findall(r'--nfacct-name (\S+)', text))):
                ns('nfacct', 'add', s)
            p = ns('iptables-legacy-restore', '--counters', data=text.encode())
            if p.returncode != 0:
                sys.exit(f'{name}: iptables-legacy-restore exit {p.returncode}: {p.stderr.decode()}')
            saved = ns('iptables-legacy-save').stdout.decode()
            with open(os.path.join(folder, name[:-len('.rules')] + '.saved'), 'w', encoding='utf-8') as f:
                f.write(''.join(l + '\n' for l in saved.split('\n') if l and not l.startswith('#')))
            print(f'{name}: loaded', file=sys.stderr)
        finally:
            subprocess.run(['ip', 'netns', 'del', NS])


def main():
    if sys.argv[1] == '--dumps':
        record_dumps(sys.argv[2])
        return
    cases = read_cases(sys.argv[1])
    subprocess.run(['ip', 'netns', 'add', NS], check=True)
    out = []
    try:
        for c in cases:
            ns('iptables-legacy-restore', data=RESET.encode())
            # the ring buffer may be full (its line count no longer grows): new lines are the later ones
            before = max((t for t, _ in kmsg()), default=0.0)
            p = ns('iptables-legacy-restore', *c['flags'], data=c['input'].encode())
            time.sleep(0.6)
            # a kernel line without a final newline stays invisible until the next line is
            # logged: log one of ours, so every line of this case is readable now
            with open('/dev/kmsg', 'w') as k:
                k.write('pwrec: end of case\n')
            dmesg = [l for t, l in kmsg() if t > before and ('x_tables' in l or l.startswith(('xt_', 'ipt_', 'No such timeout policy')))]
            stderr = p.stderr.decode(errors='replace')
            stderr = '\n'.join(l for l in stderr.split('\n') if not l.startswith("Try `iptables-restore -h'")).rstrip('\n')
            saved = {}
            for t in re.findall(r'^\*(\S+)', c['input'], re.M):
                if t in CHAINS and t not in saved:
                    s = ns('iptables-legacy-save', *(['-c'] if '--counters' in c['flags'] else []), '-t', t).stdout.decode(errors='replace')
                    saved[t] = ''.join(l + '\n' for l in s.split('\n') if l and not l.startswith('#'))
            out.append({'name': c['name'], 'flags': c['flags'], 'input': c['input'], 'rc': p.returncode, 'stderr': stderr, 'dmesg': dmesg, 'saved': saved})
    finally:
        subprocess.run(['ip', 'netns', 'del', NS])
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    if os.environ.get('PW_RECORD_LOCKED') != '1':
        lock = os.environ.get('PACKETWALK_ORACLE_LOCK', '/tmp/packetwalk-oracle.lock')
        os.execvp('flock', ['flock', lock, 'env', 'PW_RECORD_LOCKED=1', sys.executable, *sys.argv])
    main()
