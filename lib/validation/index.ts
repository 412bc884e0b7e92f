// Validation in this service uses zod/mini through a namespace import in each module
// (`import * as z from 'zod/mini'`): its functions tree-shake, classic zod's methods cannot
// (~99 KB per bundle), and re-exporting `z` from here would make esbuild keep all of it. What
// modules take from here is the effect below, so they import it bare (`import '../validation'`):
// English default messages are in place before the first parse, whichever module parses first.
import { useEnglishMessages } from './englishMessages';

useEnglishMessages();

export { useEnglishMessages } from './englishMessages';
