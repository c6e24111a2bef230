import { newId } from '../platform/random.ts';
import type { Deps } from './deps.ts';

export const nextId = (deps: Pick<Deps, 'clock' | 'random'>): string => newId(deps.clock.now(), deps.random);
