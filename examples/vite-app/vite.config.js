import { defineConfig } from 'vite';
import tinyseg from 'tinyseg/vite';

// The plugin's defaults are `tinyseg optimize`'s: spill where it pays, prove the
// result bit-exact, cache it (node_modules/.cache/tinyseg).
export default defineConfig({
  plugins: [tinyseg()],
});
