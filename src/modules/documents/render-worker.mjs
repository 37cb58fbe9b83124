// A worker thread of the document render pool (render-pool.ts). Worker threads do not inherit the
// main thread's TypeScript loader, so this plain-JavaScript entry registers tsx before loading the
// renderers.
import { register } from 'tsx/esm/api';

register();
const { renderTask } = await import('./render-tasks.ts');

export default renderTask;
