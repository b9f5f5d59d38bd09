// How the app (`next start`) is started, in one place: `npm start` applies
// it, and the tests and benchmarks start the app the same way, so they
// measure what operators run. Both settings keep memory that a bulk import
// touched from staying with the process (docs/benchmarks.md, "The app's
// memory during a cutover's import"):
//
// --max-semi-space-size=8: V8 otherwise grows the young generation from
// 2 × 16 MB to 2 × 64 MB while bulk chunks stream through, and keeps it.
// 8 measured lower in RSS than 16 at the same CPU; 4 cost CPU. Read when the
// heap is set up, so it cannot be set from inside the process.
export const APP_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8"];

// MALLOC_ARENA_MAX=2: glibc's malloc otherwise gives threads their own
// arenas (up to 8 per core), and the request bodies and COPY buffers freed
// in them stay in the process's RSS. Other C libraries ignore it.
export const APP_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
