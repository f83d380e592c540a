// The words for the enumerations several pages show: an agent's state and
// not-ready reason (desk, wallboard), a socket's status (desk, wallboard,
// the work-order pages), a ticket's state, type and urgency (desk and the
// work-order pages). Each table maps a value to its i18n key.

import { t } from './i18n.js';

export const STATE_KEY = {
  offline: 'state.offline', ready: 'state.ready', not_ready: 'state.not_ready',
  offered: 'state.offered', on_call: 'state.on_call', wrap_up: 'state.wrap_up',
};
export const REASON_KEY = {
  break: 'reason.break', training: 'reason.training', meeting: 'reason.meeting',
  other: 'reason.other', login: 'reason.login', no_answer: 'reason.no_answer',
};
export const WS_KEY = {
  connecting: 'conn.connecting', online: 'conn.online', retrying: 'conn.retrying',
  unauthorized: 'conn.unauthorized', replaced: 'conn.replaced', stopped: 'conn.stopped',
};
export const TSTATE_KEY = {
  pending_dispatch: 'tstate.pending_dispatch', dispatched: 'tstate.dispatched',
  returned: 'tstate.returned', in_progress: 'tstate.in_progress', replied: 'tstate.replied',
  closed: 'tstate.closed', archived: 'tstate.archived',
};
export const TYPE_KEY = {
  consult: 'type.consult', help: 'type.help', complaint: 'type.complaint',
  report: 'type.report', suggestion: 'type.suggestion', praise: 'type.praise',
};
export const URGENCY_KEY = {
  emergency: 'urgency.emergency', utility: 'urgency.utility',
  ordinary: 'urgency.ordinary', complex: 'urgency.complex',
};

/** word is v's word in table, or v itself when the table does not know it. */
export const word = (table, v) => (table[v] ? t(table[v]) : (v ?? ''));

/** connWord is a socket status's word. */
export const connWord = (status) => t(WS_KEY[status] ?? 'conn.stopped');

/** connOk is a socket status as a .conn-pill's data-ok: true, wait or false. */
export const connOk = (status) => (status === 'online' ? 'true' : status === 'connecting' || status === 'retrying' ? 'wait' : 'false');
