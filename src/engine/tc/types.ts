// pattern: Functional Core
// The tc data model lives with the Link it hangs on (net/tc-types.ts), so
// net never imports tc; the tc modules read it from here.
export * from '../net/tc-types';
