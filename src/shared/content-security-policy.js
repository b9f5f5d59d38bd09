// The Content-Security-Policy of every response, in one place: the proxy
// (src/proxy.ts) sends it for pages with a fresh nonce per request, and
// next.config.js for everything else (API answers, static files). Plain
// JavaScript because next.config.js loads it before anything is compiled.
//
// Pages: scripts run only with the request's nonce ('strict-dynamic' lets
// them load Next's chunks), so an inline script in a post body, a handle or
// any other text from X that slipped through would not run. Styles keep
// 'unsafe-inline': React writes style attributes, which nonces cannot cover,
// and a style cannot run code.

/**
 * @param {{ nonce?: string; dev?: boolean }} [options] a page's nonce (none: no inline script may run); the dev server's needs
 * @returns {string}
 */
export function contentSecurityPolicy({ nonce, dev = false } = {}) {
  const scripts = [
    "'self'",
    ...(nonce ? [`'nonce-${nonce}'`, "'strict-dynamic'"] : []),
    ...(dev ? ["'unsafe-eval'"] : []),
  ];
  return [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
