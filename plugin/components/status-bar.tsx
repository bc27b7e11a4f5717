/** A Roundcube-style message: short, success / error / info. */
export interface Status {
  kind: 'success' | 'error' | 'info';
  text: string;
}

/**
 * The status line of the current view: the latest progress or outcome, announced to screen readers. It
 * keeps its place while empty, so a message appearing does not push the page down, and it stays until the
 * next action or view (a message that fades can be missed).
 */
export function StatusBar({ status }: { status: Status | null }) {
  return (
    <div class="aq-live" role={status?.kind === 'error' ? 'alert' : 'status'} aria-live={status?.kind === 'error' ? 'assertive' : 'polite'}>
      {status && (
        <p class={`aq-status aq-status--${status.kind}`} data-aq-status={status.kind}>
          {status.text}
        </p>
      )}
    </div>
  );
}
