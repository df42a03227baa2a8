/**
 * The widget's whole stylesheet, inside its shadow root: nothing here reaches the host page, and the host's rules
 * cannot select anything in here. `all: initial` on the host stops inherited properties (font, color, line
 * height) from flowing in. `--od-color` is the inbox's color.
 */
export const STYLES = `
:host { all: initial; }
.root { all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; }
* { box-sizing: border-box; }
button { font: inherit; cursor: pointer; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--od-color);
  color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); position: relative; display: flex;
  align-items: center; justify-content: center; margin-left: auto; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px;
  border-radius: 10px; background: #dc2626; color: #fff; font-size: 12px; line-height: 20px; text-align: center; }
.panel { width: 360px; max-width: calc(100vw - 40px); height: 520px; max-height: calc(100vh - 110px);
  margin-bottom: 12px; background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.2);
  display: flex; flex-direction: column; overflow: hidden; }
[hidden] { display: none !important; }
.header { background: var(--od-color); color: #fff; padding: 14px 16px; display: flex; align-items: center; }
.title { flex: 1; font-weight: 600; font-size: 15px; }
.close { background: none; border: 0; color: #fff; font-size: 22px; line-height: 1; padding: 0 4px; }
.messages { flex: 1; overflow-y: auto; padding: 12px; background: #f9fafb; display: flex; flex-direction: column; gap: 6px; }
.more { align-self: center; background: none; border: 0; color: #6b7280; font-size: 12px; }
.msg { max-width: 80%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.agent { align-self: flex-start; background: #e5e7eb; border-bottom-left-radius: 4px; }
.msg.visitor { align-self: flex-end; background: var(--od-color); color: #fff; border-bottom-right-radius: 4px; }
.msg.pending { opacity: .6; }
.msg.failed { outline: 2px solid #dc2626; }
.msg a { color: inherit; text-decoration: underline; }
.msg img { display: block; max-width: 100%; border-radius: 8px; }
.note { font-size: 12px; color: #6b7280; padding: 2px 12px; }
.typing { font-size: 12px; color: #6b7280; padding: 4px 14px; }
.composer { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; align-items: flex-end; }
.composer textarea { flex: 1; resize: none; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px;
  font: inherit; color: inherit; height: 38px; max-height: 120px; }
.icon { background: none; border: 0; color: #6b7280; padding: 8px 4px; }
.icon svg { width: 20px; height: 20px; fill: currentColor; }
.send { background: var(--od-color); color: #fff; border: 0; border-radius: 8px; padding: 8px 12px; }
.prechat { padding: 16px; display: flex; flex-direction: column; gap: 8px; border-top: 1px solid #e5e7eb; }
.prechat label { font-size: 12px; color: #374151; display: flex; flex-direction: column; gap: 3px; }
.prechat input { border: 1px solid #d1d5db; border-radius: 8px; padding: 8px; font: inherit; color: inherit; }
.error { color: #dc2626; font-size: 12px; }
`;
