/** A Roundcube-style message: short, success / error / info. */
export interface Status {
  kind: 'success' | 'error' | 'info';
  text: string;
}

/**
 * The status line of the current view: the latest progress or outcome, announced to screen readers. It
 * sits in the header, beside the tabs: empty, it takes no room (no band above the list), and a message
 * appearing does not push the page down where the header has room for it (a phone gives it a line of the
 * header). It stays until the next action or view (a message that fades can be missed).
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
