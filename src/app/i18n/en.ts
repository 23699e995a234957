// pattern: Functional Core
// English UI strings, one module per screen area (each area's Chinese twin
// lives next to it), merged here.
import { enCore } from './core.en';
import { enIpvs } from './ipvs.en';
import { enPersist } from './persist.en';
import { enBudget } from './budget.en';
import { enEngine } from './engine.en';
import { enLarge } from './large.en';
import { enConsole } from './console.en';
import { enInspector } from './inspector.en';
import { enTraffic } from './traffic.en';
import { enVlan } from './vlan.en';
import { enNetns } from './netns.en';
import { enStep } from './step.en';
import { enCourse } from './course.en';

export const en = { ...enCore, ...enIpvs, ...enPersist, ...enBudget, ...enEngine, ...enLarge, ...enConsole, ...enInspector, ...enTraffic, ...enStep, ...enVlan, ...enNetns, ...enCourse } as const;
