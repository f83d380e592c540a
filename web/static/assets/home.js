// The landing page: only the language switch.
import { apply, bindToggles } from './i18n.js';

apply();
bindToggles();
