// A worker thread of the simulator's scan (simulate-scan.ts). Worker threads do not inherit the main
// thread's TypeScript loader, so this plain-JavaScript entry registers tsx before loading the task.
import { register } from 'tsx/esm/api';

register();
const { rangeTask } = await import('./simulate-scan.ts');

export default rangeTask;
