import { useEffect, useState } from 'preact/hooks';

/** What scrolls the list: its nearest scrolling ancestor, across the shadow root into the host page, or the page. */
export function scroller(el: Element | null | undefined): Element | null {
  let node: Node | null | undefined = el?.parentNode;
  while (node) {
    if (node instanceof Element && /auto|scroll/.test(getComputedStyle(node).overflowY) && node.scrollHeight > node.clientHeight) return node;
    node = node instanceof ShadowRoot ? node.host : node.parentNode;
  }
  return document.scrollingElement;
}

/** How far what scrolls the list is scrolled, while the list is shown (not while a message covers it). */
export function useScroll(ref: { current: Element | null }): number {
  const [top, setTop] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onScroll = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const list = ref.current as HTMLElement | null;
        if (list?.offsetParent) setTop(scroller(list)?.scrollTop ?? 0);
      }, 150);
    };
    window.addEventListener('scroll', onScroll, { capture: true, passive: true });
    return () => {
      window.removeEventListener('scroll', onScroll, true);
      clearTimeout(timer);
    };
  }, [ref]);
  return top;
}
