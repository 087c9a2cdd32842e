/** Vite's `?url` imports (the renderer's tsconfig has no vite/client types): the asset's address. */
declare module '*.svg?url' {
  const url: string;
  export default url;
}
