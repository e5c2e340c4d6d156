import { z } from 'zod';

// zod 4 compiles fast parsers with `new Function`, probing for it first; under the app's CSP
// (no 'unsafe-eval') that probe is a reported violation. Imported first by main.ts, before any
// schema is built.
z.config({ jitless: true });
