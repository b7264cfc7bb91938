// h5wasm's Node build ('h5wasm/node': reads files by path) has the package's own types; the project's 'node'
// module resolution does not follow package "exports", so the subpath is declared here.
declare module 'h5wasm/node' {
  export * from 'h5wasm';
}
