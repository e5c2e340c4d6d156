/** Loads every method file (each registers its handlers). */
import './auth';
import './peers';
import './upload';
import './messages';
import './edit';
import './history';

export { handlerFor } from './registry';
