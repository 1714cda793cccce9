/* Staff sign-in, shared by /counter and /admin.
 *
 * A bearer token is checked with /api/v1/me and must carry one of the page's roles. It is kept in
 * sessionStorage, or in localStorage when "remember" is ticked, under the page's own key, and
 * forgotten as soon as the server no longer accepts it. The sign-in view is the same on both
 * pages: #view-signin with #signin-title, #token-input and #token-error; #who holds the signed-in
 * name; the page's own view is hidden while signed out. Texts come from `<texts>.wrongRole`,
 * `.invalid`, `.expired` and `.unreachable`.
 */
import {api} from './api.js';
import {t} from './i18n.js';
import {$, store, focusEl, clock} from './dom.js';

const local = store('local');
const session = store('session');

/**
 * The sign-in of one page.
 * @param {object} o
 * @param {string} o.key storage key of the token
 * @param {string[]} o.roles roles that may use the page
 * @param {string} o.texts i18n prefix of the sign-in messages, e.g. 'counter.signIn'
 * @param {object} o.state the page's state: `token` and `me` are set on sign-in
 * @param {string} o.view selector of the page's own view, hidden while signed out
 * @param {() => Promise<void>} o.enter shows the page once signed in
 */
export function staffSignIn({key, roles, texts, state, view, enter}) {
  function forget() {
    session.remove(key);
    local.remove(key);
  }

  /** Shows the sign-in view, with the message `errorKey` when given. */
  function show(errorKey, detail) {
    $(view).hidden = true;
    $('#who').hidden = true;
    $('#view-signin').hidden = false;
    const err = $('#token-error');
    err.textContent = errorKey ? t(errorKey, {detail: detail || ''}) : '';
    err.hidden = !errorKey;
    $('#token-input').setAttribute('aria-invalid', errorKey ? 'true' : 'false');
    $('#token-input').value = '';   // a hidden (password) value cannot be corrected, only retyped
    focusEl(errorKey ? $('#token-input') : $('#signin-title'));
  }

  /** Checks `candidate`; on success keeps it (unless `silent`: it was kept already) and enters the page. */
  async function signIn(candidate, {silent = false, remember = false} = {}) {
    try {
      const who = await api('/me', {token: candidate});
      if (!who || !roles.includes(who.role)) {
        forget();
        return show(`${texts}.wrongRole`);
      }
      state.me = who;
      state.token = candidate;
      if (!silent) {
        forget();
        (remember ? local : session).set(key, candidate);
      }
      $('#token-input').value = '';
      await enter();
    } catch (e) {
      if (e.status === 401) {
        forget();
        return show(silent ? `${texts}.expired` : `${texts}.invalid`);
      }
      if (e.status === 403) {
        forget();
        return show(`${texts}.wrongRole`);
      }
      return show(`${texts}.unreachable`);
    }
    return undefined;
  }

  /** The token kept from an earlier visit, if any. */
  const saved = () => session.get(key) || local.get(key);

  /** At page load: sync the clock with the server, then sign in again with a kept token, or ask for one. */
  async function resume() {
    try {
      const health = await api('/health', {timeout: 5000});
      if (health?.now) clock.sync(health.now);
    } catch { /* the sign-in will say it */ }
    state.token = saved();
    $('#loading').hidden = true;
    if (state.token) await signIn(state.token, {silent: true});
    else show();
  }

  return {signIn, show, forget, saved, resume};
}
