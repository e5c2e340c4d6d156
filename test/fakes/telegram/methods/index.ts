/** Loads every method file (each registers its handlers). */
import './auth';
import './peers';
import './upload';
import './messages';
import './edit';

export { handlerFor } from './registry';
