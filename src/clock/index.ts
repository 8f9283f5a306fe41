export * from './clock.js';
export * from './system-clock.js';
