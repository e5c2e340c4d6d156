/// <reference types="vite/client" />

// Lets `tsc` (which does not understand .svelte files) typecheck the modules that import them;
// svelte-check checks the components themselves.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<Record<string, unknown>>;
  export default component;
}
