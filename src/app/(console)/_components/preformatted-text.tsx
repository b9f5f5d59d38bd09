/** Report bodies are Markdown written by the collector: shown as preformatted text, never as HTML. */
export function PreformattedText({ text }: { text: string }) {
  return (
    <pre className="max-h-80 overflow-auto rounded bg-slate-50 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-words">
      {text}
    </pre>
  );
}
