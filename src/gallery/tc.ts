// pattern: Functional Core
// The gallery's lesson on traffic control (the source notes' `tc` for QoS):
// tc-tbf.json of engine/lab/__fixtures__/tc, whose every count was recorded
// on this machine's kernel by that folder's record.py (the shared oracle
// refuses tc in a setup, so the entry carries no oracle result: kernel
// false; engine/lab/tc.test.ts is its comparison with the kernel).

import type { Case } from '../engine/scenario/case';
import type { GalleryEntry } from './index';
import tc01 from './scenarios/tc-01-tbf-shaping-a-link.json';

export const TC_LESSONS: readonly GalleryEntry[] = [
  {
    id: 'tc-01-tbf-shaping-a-link',
    scenario: tc01 as unknown as Case,
    kernel: false,
    title: { en: 'tc shaping a link', zh: '用 tc 给链路限速' },
    summary: {
      en: 'tc qdisc add dev eth0 root tbf rate 4kbit burst 1200 limit 2100: six 1042-byte frames, one a second.',
      zh: 'tc qdisc add dev eth0 root tbf rate 4kbit burst 1200 limit 2100：每秒一个 1042 字节的帧，共六个。',
    },
    explanation: {
      en: 'The client\'s eth0 has a token bucket filter as its root qdisc: 4kbit is 500 bytes a second, the bucket holds 1200 bytes and the queue 2100. The qdisc takes each frame after POSTROUTING. The first frame leaves on the full bucket; each later one waits until the bucket holds its 1042 bytes again (2.084 s at this rate), so the queue grows by a frame every two seconds. The sixth frame finds two frames (2084 bytes) queued and would make 3126: tbf drops it. mangle POSTROUTING counted all six; the server\'s PREROUTING sees five. `tc -s qdisc show dev eth0` in the console counts sent, dropped, overlimits and backlog as of the step, as this machine\'s kernel counted them.',
      zh: '客户端 eth0 的根队列规则是令牌桶过滤器（tbf）：4kbit 即每秒 500 字节，桶容量 1200 字节，队列 2100 字节。队列规则在 POSTROUTING 之后接收每个帧。第一帧靠满桶的令牌立即发出；之后的每一帧都要等到桶里重新攒够 1042 字节（按此速率需 2.084 秒），所以队列每两秒增加一帧。第六帧到达时队列里已有两帧（2084 字节），再加就是 3126：tbf 把它丢弃。mangle POSTROUTING 对六个包都计了数；服务器的 PREROUTING 只看到五个。在控制台里用 `tc -s qdisc show dev eth0` 可以看到截至当前步骤的 sent、dropped、overlimits 和 backlog，与本机内核的计数一致。',
    },
    lookHere: [
      { step: 1, host: 'client', at: { note: 'qdisc' }, text: { en: 'The bucket is full: the first frame leaves at once.', zh: '令牌桶是满的：第一帧立即发出。' } },
      { step: 2, host: 'client', at: { note: 'qdisc' }, text: { en: 'Only 658 bytes of tokens: the frame waits until 1.768 s.', zh: '只有 658 字节的令牌：这一帧要等到 1.768 秒。' } },
      { step: 6, host: 'client', at: { note: 'qdisc' }, text: { en: 'The queue already holds 2084 bytes: tbf drops this frame after POSTROUTING counted it.', zh: '队列里已有 2084 字节：tbf 丢弃这一帧，而 POSTROUTING 已经计过数。' } },
    ],
    tags: ['basics'],
  },
];
