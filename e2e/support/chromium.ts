// Debian's Chromium, the one browser the browser tests and the console
// benchmark run: Playwright's own browser download is not available here.
// Without the background-networking flags it keeps trying to reach Google's
// hosts from a machine with no internet.
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};
