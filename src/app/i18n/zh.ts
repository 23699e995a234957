// pattern: Functional Core
// 简体中文界面文字：与 en.ts 的键一一对应。内核与工具术语（PREROUTING、DNAT、conntrack、ip rule 等）保持原样。
import type { en } from './en';
import { zhCore } from './core.zh';
import { zhIpvs } from './ipvs.zh';
import { zhPersist } from './persist.zh';
import { zhBudget } from './budget.zh';
import { zhEngine } from './engine.zh';
import { zhLarge } from './large.zh';
import { zhConsole } from './console.zh';
import { zhInspector } from './inspector.zh';
import { zhTraffic } from './traffic.zh';
import { zhVlan } from './vlan.zh';
import { zhNetns } from './netns.zh';
import { zhStep } from './step.zh';
import { zhCourse } from './course.zh';

export const zh: Record<keyof typeof en, string> = { ...zhCore, ...zhIpvs, ...zhPersist, ...zhBudget, ...zhEngine, ...zhLarge, ...zhConsole, ...zhInspector, ...zhTraffic, ...zhStep, ...zhVlan, ...zhNetns, ...zhCourse };
