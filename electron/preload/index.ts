import { contextBridge, ipcRenderer } from 'electron';
import { buildWindowApi } from './api';

/**
 * Preload (sandboxed, bundled to CommonJS with its dependencies): exposes `window.api` and
 * nothing else. No ipcRenderer, no ports, no Node objects reach the page.
 */
contextBridge.exposeInMainWorld('api', buildWindowApi(ipcRenderer));
