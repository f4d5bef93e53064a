/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_TEST_API?: string;
}
