// Preloaded into the Prisma CLI by scripts/lib/migrate.ts. The WebAssembly
// schema engine arms a 10-second timer that keeps the CLI process alive
// after its work is done; unref'ing long timers lets it exit at once
// (a 10 s saving on every migrate). Work in progress still keeps the
// process alive through its open database sockets.
const originalSetTimeout = global.setTimeout;
global.setTimeout = function patchedSetTimeout(callback, ms, ...args) {
  const timer = originalSetTimeout(callback, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && timer && typeof timer.unref === "function") timer.unref();
  return timer;
};
