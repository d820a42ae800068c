// Svelte 5 compiles TypeScript in <script lang="ts"> itself; nothing else to configure.
export default {};
