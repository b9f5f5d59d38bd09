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
//
// --no-allocation-site-pretenuring: V8 otherwise learns, while a bulk
// chunk's rows outlive young-generation collections during its transaction,
// to allocate the objects of the sites that made them straight in the old
// generation, where every later chunk's short-lived parse and check objects
// then pile up until a full collection: the app's heap grew from ~50 to
// ~115 MB during a cutover's import, and stays ~50 MB without it
// (docs/benchmarks.md, decisions/024).
export const APP_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8", "--no-allocation-site-pretenuring"];

// MALLOC_ARENA_MAX=2: glibc's malloc otherwise gives threads their own
// arenas (up to 8 per core), and the request bodies and COPY buffers freed
// in them stay in the process's RSS.
// MALLOC_MMAP_THRESHOLD_=131072: allocations of 128 KiB or more are mapped
// on their own and unmapped when freed; glibc otherwise raises the threshold
// as such blocks are freed, after which they come from its heap and stay in
// RSS (the app's growth during a cutover's import: 108 against 82 MB).
// Other C libraries ignore both.
export const APP_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "131072" };
