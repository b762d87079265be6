export { captureLogger } from './logs.js';
