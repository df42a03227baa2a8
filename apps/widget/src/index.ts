// The live-chat widget entry point (built into dist/widget.js by build.mjs).
export {};
