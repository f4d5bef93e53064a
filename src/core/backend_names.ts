// Backend names, free of tfjs so the page can validate ?backend= without loading the tensor library.

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(s: string): s is BackendName {
  return (BACKENDS as readonly string[]).includes(s);
}
