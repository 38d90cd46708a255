/**
 * The one place that chooses the tfjs backend: 'tpcvision-native' when the oneDNN addon loads,
 * otherwise the pure-JS 'cpu' backend with a warning that says how to install the native one.
 */
import { engine, getBackend, setBackend } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NativeEngineUnavailable } from './addon.js';
import { NATIVE_BACKEND, registerNativeBackend } from './native-backend.js';

export type EngineChoice = 'native' | 'cpu';

export interface SelectBackendOptions {
  /** 'native' (default) tries the oneDNN backend first; 'cpu' forces the reference backend. */
  prefer?: EngineChoice;
  /** Threads for oneDNN and the native loops; default: all cores (OpenMP's default). */
  threads?: number;
  /** Where the fallback warning goes (default console.warn). */
  warn?: (message: string) => void;
}

/** Selects and initialises the backend; returns the name in use ('tpcvision-native' or 'cpu'). */
/** tfjs-backend-cpu greets Node users once with advice to install tfjs-node; we have our own backend. */
function silenceNodeGreeting(): void {
  const backend = engine().backend as unknown as { firstUse?: boolean };
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

export async function selectBackend(options: SelectBackendOptions = {}): Promise<string> {
  const { prefer = 'native', threads, warn = console.warn } = options;
  if (prefer === 'native') {
    try {
      registerNativeBackend(threads);
      if (await setBackend(NATIVE_BACKEND)) {
        silenceNodeGreeting();
        return getBackend();
      }
      warn(`tpcvision: backend ${NATIVE_BACKEND} failed to initialise; using 'cpu'`);
    } catch (err) {
      if (!(err instanceof NativeEngineUnavailable)) throw err;
      warn(err.message);
    }
  }
  await setBackend('cpu');
  silenceNodeGreeting();
  return getBackend();
}
