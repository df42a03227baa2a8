/** Shared class strings, so every button and input across the app looks and focuses the same. */
const controlBase =
  'rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 ' +
  'focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 disabled:opacity-60 ' +
  'dark:border-slate-700 dark:bg-slate-900 dark:placeholder:text-slate-500';

export const inputClass = `w-full ${controlBase}`;
export const selectClass = `w-full ${controlBase} pr-8`;
/** A select that takes only the width of its content (toolbars). */
export const compactSelectClass = `${controlBase} py-1.5 pr-8`;

const buttonBase =
  'inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-2 text-sm font-medium transition ' +
  'disabled:cursor-not-allowed disabled:opacity-50';

export const primaryButton = `${buttonBase} bg-brand-600 text-white hover:bg-brand-700`;
export const secondaryButton =
  `${buttonBase} border border-slate-300 bg-white text-slate-700 hover:bg-slate-100 ` +
  'dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800';
export const ghostButton = `${buttonBase} text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800`;

export const cardClass =
  'rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900';
