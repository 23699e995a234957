// pattern: Functional Core
// The scenario a first visit shows (and "Start again" brings back): the port
// forward of port-forward.json, as a Case. A JSON import is typed loosely
// (a link is string[], not a pair), hence the one cast here; built-in.test.ts
// checks the file against the shape every scenario from outside must have.

import type { Case } from '../engine/scenario/case';
import portForward from './port-forward.json';

export const BUILT_IN: Case = portForward as Case;
