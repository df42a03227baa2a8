import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

const isDark = () => document.documentElement.classList.contains('dark');

/**
 * Whether the dark theme is on. The theme toggle flips the `dark` class on <html>; charts draw colours in
 * JavaScript rather than CSS, so they need to hear about the flip to redraw.
 */
export function useDarkTheme(): boolean {
  return useSyncExternalStore(subscribe, isDark);
}
