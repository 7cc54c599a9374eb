import { EncodingError } from '../encoding/errors.js';
import { parsePreset } from '../encoding/presets.js';
import { mediaErrors } from '../errors.js';

/**
 * A task's Configuration is checked when the job is submitted, as the service checked it: an
 * unknown preset name or a malformed custom preset is the client's 400, not a job in Error later.
 */
export function checkPreset(configuration: string): void {
  if (configuration.trim() === '') {
    throw mediaErrors.invalidProperty(
      'Configuration',
      'Media Encoder Standard needs a preset name or a custom preset.',
    );
  }
  try {
    parsePreset(configuration);
  } catch (error) {
    if (error instanceof EncodingError) throw mediaErrors.invalidProperty('Configuration', error.message);
    throw error;
  }
}
