/* Turn alerts for the citizen who follows a ticket on the phone (/t/{id}).
 *
 * Two thresholds: "almost your turn" (position <= ALMOST_POSITION, so three or fewer ahead) and
 * "called" (each call and each recall of the ticket). dueAlerts() decides, without I/O, which
 * alerts a ticket update raises, from the record of what this tab already raised; the page keeps
 * that record in sessionStorage, so a reload never repeats an alert. An alert is `loud` (sound,
 * vibration, notification) only when the page had shown the ticket before the threshold was
 * crossed: whoever opens the page already past a threshold is looking at it.
 *
 * The signals: a short tune made with the Web Audio API (one oscillator per alert, no audio file),
 * navigator.vibrate, and a system Notification when permission was granted. Browsers allow sound and
 * vibration only after the person touched the page once (sticky user activation); permission for
 * notifications is asked only from a button (askNotificationPermission), never on load. Each
 * signal function answers whether it went out, so the page can say in text what happened.
 *
 *   let {record, alerts} = dueAlerts(record, ticket);   // alerts: [{kind, loud}]
 *   const via = loud ? [chime(kind) && 'sound', vibrate(kind) && 'vibration', notify(…) && 'notification'] : [];
 */

/** A waiting ticket at this place or better is "almost": three or fewer people ahead. */
export const ALMOST_POSITION = 4;

const WAITING = new Set(['waiting', 'transferred']);

/** What a tab has raised for one ticket: nothing yet. */
export const emptyRecord = () => ({
  seen: false,     // the page has shown this ticket at least once
  almost: false,   // the "almost" threshold is behind us (raised, or skipped by a call)
  called: null,    // "calledAt#recalls" of the last call raised
  armed: false,    // the citizen asked to be warned (the button)
  log: [],         // [{kind, at: "HH:MM", counter, via: ['sound'|'vibration'|'notification']}]
});

/**
 * The alerts a ticket update raises. Pure: (record, ticket) -> {record, alerts}.
 * kind: 'almost' | 'called' | 'recalled'; loud: whether to sound, vibrate and notify.
 */
export function dueAlerts(prev, tk) {
  const record = {...emptyRecord(), ...prev};
  const alerts = [];
  if (!tk) return {record, alerts};
  const loud = record.seen;
  const recalls = Number(tk.recalls) || 0;
  const position = Number(tk.position);
  if (tk.status === 'called' && tk.calledAt) {
    const key = `${tk.calledAt}#${recalls}`;
    if (record.called !== key) {
      alerts.push({kind: recalls > 0 ? 'recalled' : 'called', loud});
      record.called = key;
      record.almost = true;   // a ticket called out of order never gets a late "almost"
    }
  } else if (WAITING.has(tk.status) && position >= 1 && position <= ALMOST_POSITION && !record.almost) {
    alerts.push({kind: 'almost', loud});
    record.almost = true;
  }
  record.seen = true;
  return {record, alerts};
}

/* ---------------------------------------------------------------- signals */

/** Sound and vibration are allowed once the person has touched the page (or the browser cannot tell). */
export const activated = () => !navigator.userActivation || navigator.userActivation.hasBeenActive;

let audioCtx = null;

/** The page's AudioContext, made only after a user activation (before that, browsers refuse it). */
function audio() {
  if (audioCtx) return audioCtx;
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC || !activated()) return null;
  try {
    audioCtx = new AC();
  } catch {
    return null;
  }
  return audioCtx;
}

/** Call from a click or touch handler: makes and resumes the AudioContext while the gesture lasts. */
export function unlockAudio() {
  const ctx = audio();
  if (ctx?.state === 'suspended') ctx.resume().catch(() => {});
  return Boolean(ctx);
}

export const canSound = () => Boolean(window.AudioContext || window.webkitAudioContext);
export const canVibrate = () => typeof navigator.vibrate === 'function';

// One note per step (Hz): a soft rising pair for "almost", an insistent five-note call.
const TUNES = {almost: [660, 880], called: [880, 660, 880, 660, 880]};
const STEP_S = 0.22;
const VOLUME = 0.3;

/** Plays the tune of kind ('almost', 'called', 'recalled') once; true when it was started. */
export function chime(kind) {
  const ctx = audio();
  if (!ctx) return false;
  try {
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    const notes = TUNES[kind] || TUNES.called;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    const t0 = ctx.currentTime + 0.03;
    gain.gain.setValueAtTime(0.0001, t0);
    notes.forEach((hz, i) => {
      const at = t0 + i * STEP_S;
      osc.frequency.setValueAtTime(hz, at);
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(VOLUME, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + STEP_S - 0.02);
    });
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.onended = () => { osc.disconnect(); gain.disconnect(); };
    osc.start(t0);
    osc.stop(t0 + notes.length * STEP_S);
    return true;
  } catch {
    return false;
  }
}

const PATTERNS = {almost: [200, 100, 200], called: [400, 200, 400, 200, 400]};

/** Vibrates in the pattern of kind; true when the browser took it. */
export function vibrate(kind) {
  if (!canVibrate() || !activated()) return false;
  try {
    return navigator.vibrate(PATTERNS[kind] || PATTERNS.called) !== false;
  } catch {
    return false;
  }
}

/** 'granted' | 'denied' | 'default' | 'unsupported'. */
export function notificationState() {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

/** Asks for permission to notify; call it only from a click. Resolves to notificationState(). */
export async function askNotificationPermission() {
  if (notificationState() !== 'default') return notificationState();
  try {
    await Notification.requestPermission();
  } catch { /* treated as not granted */ }
  return notificationState();
}

/**
 * Shows a system notification (one per ticket: tag replaces the previous one); true when shown.
 * Chrome on Android only shows notifications through a service worker and throws here: false then.
 */
export function notify(title, {body = '', tag = '', lang = ''} = {}) {
  if (notificationState() !== 'granted') return false;
  try {
    const n = new Notification(title, {body, tag, lang, renotify: Boolean(tag)});
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return true;
  } catch {
    return false;
  }
}
